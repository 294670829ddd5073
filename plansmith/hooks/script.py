"""The POSIX sh script that ``plansmith hooks install`` writes into the hooks folder.

The script
1. runs the hook that was there before, if any (kept beside it as ``HOOK.plansmith-chained``), with the
   same arguments and standard input; its failure fails the hook;
2. starts plansmith with the Python interpreter it was installed from (``PYTHON -P -m plansmith.hooks``:
   ``-P`` keeps the repository's own folders off ``sys.path``), or else ``plansmith`` found on PATH;
3. when neither exists any more, warns and lets the commit go on (exit 0): a deleted virtual environment
   must not block every commit of the repository; the warning says how to repair or remove the hook.

The marker line identifies plansmith's own hook, so installing again replaces it instead of chaining it.
"""

from __future__ import annotations

MARKER = "# plansmith-hook v1"
MARKER_PREFIX = b"# plansmith-hook v"
CHAINED_SUFFIX = ".plansmith-chained"  # a hook that was there before; run first
DISABLED_SUFFIX = ".plansmith-disabled"  # a hook set aside by ``install --force``; not run

_TEMPLATE = """\
#!/bin/sh
{marker}
# Written by 'plansmith hooks install': validates the staged plans before each commit.
# 'plansmith hooks uninstall' removes it and puts back the hook that was here before (if any; it is kept
# as {hook}{chained} and runs first). To skip the hooks once: git commit --no-verify
hook={hook_q}
python={python_q}
package={package_q}

here=${{0%/*}}
[ "$here" = "$0" ] && here=.
if [ -x "$here/$hook{chained}" ]; then
\t"$here/$hook{chained}" "$@" || exit $?
fi
if [ -x "$python" ] && [ -f "$package/hooks/__main__.py" ]; then
\texec "$python" -P -m plansmith.hooks run "$hook" "$@"
fi
if command -v plansmith >/dev/null 2>&1; then
\texec plansmith hooks run "$hook" "$@"
fi
echo "plansmith: warning: the $hook hook cannot find plansmith (not at $python, not on PATH): \
plans were not validated" >&2
echo "hint: run 'plansmith hooks install' again from the environment plansmith is installed in, \
or remove the hook with 'plansmith hooks uninstall'" >&2
exit 0
"""


def sh_quote(text: str) -> str:
    """``text`` as one POSIX sh word."""
    return "'" + text.replace("'", "'\\''") + "'"


def render_hook_script(hook: str, python: str, package_dir: str) -> str:
    """The hook script for ``hook``, starting ``python -m plansmith.hooks`` from ``package_dir``."""
    return _TEMPLATE.format(
        marker=MARKER,
        hook=hook,
        hook_q=sh_quote(hook),
        python_q=sh_quote(python),
        package_q=sh_quote(package_dir),
        chained=CHAINED_SUFFIX,
    )


def is_plansmith_hook(content: bytes) -> bool:
    """Whether ``content`` is a hook script written by plansmith (any version)."""
    return MARKER_PREFIX in content[:512]
