"""plansmith.git_backend: the only code that runs git, reads the repository's git files or writes objects.

Modules (import the one you need; this package imports nothing so the hook fast path stays cheap):

* ``cmd`` - the subprocess wrapper with a cleaned environment (every git command line goes through it);
* ``paths`` - the repository model (``RepoPaths``), finding a repository without git, the hooks folder;
* ``listing`` - the one parser of ``ls-files``/``ls-tree`` output, and the ``Entry`` every listing yields;
* ``staged`` - what a commit is about to record (the pre-commit hook and ``validate --staged``);
* ``session`` - one open repository (GitPython): refs from files, objects through one ``cat-file``,
  loose objects written in-process; held for a command-line run, or for the daemon's life;
* ``objects`` / ``trees`` - git's tree and commit formats; listing, splicing and building trees;
* ``repo`` - revisions, branches, files at a commit or in the index, the user's worktree status;
* ``worktree`` - the scratch worktree where plansmith commits (never the user's checkout);
* ``full_worktree`` - short-lived full checkouts for implementation steps;
* ``checkpoints`` - commit + ref + record, validated before restore;
* ``proposals`` - proposal branches: publish (compare-and-swap), list with state, approve, reject, diff;
* ``diffs`` - what a proposal changes: its diff and files, a plan's move into its folder as a rename;
* ``rejections`` - remembered rejections per plan content hash;
* ``messages`` - commit messages, trailers and identities.

Light (no GitPython, safe for the hook): ``cmd``, ``paths``, ``listing``, ``staged``, ``objects``,
``messages``, ``state_files``. ``session`` imports GitPython only when a repository is first opened.

State lives in ``<common git dir>/plansmith/`` and refs under ``refs/plansmith/`` and
``refs/heads/<proposal prefix>``; nothing else of the user's repository is written, except by
``approve.approve``, which the user asks for. Ref updates are compare-and-swap ``git update-ref``.
"""
