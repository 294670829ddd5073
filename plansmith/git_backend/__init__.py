"""plansmith.git_backend: the only code that runs git.

Modules (import the one you need; this package imports nothing so the hook fast path stays cheap):

* ``cmd`` - the subprocess wrapper with a cleaned environment;
* ``repo`` - finding the repository, reading files at a revision, from the index and the worktree status;
* ``worktree`` - the scratch worktree where plansmith commits (never the user's checkout);
* ``checkpoints`` - commit + ref + record, validated before restore;
* ``proposals`` - proposal branches: publish (compare-and-swap), list with state, approve, reject, diff;
* ``diffs`` - what a proposal changes: its diff and files, a plan's move into its folder as a rename;
* ``rejections`` - remembered rejections per plan content hash;
* ``messages`` - commit messages, trailers and identities.

State lives in ``<common git dir>/plansmith/`` and refs under ``refs/plansmith/`` and
``refs/heads/<proposal prefix>``; nothing else of the user's repository is written, except by
``proposals.approve``, which the user asks for.
"""
