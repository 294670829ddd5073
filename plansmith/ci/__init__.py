"""plansmith on CI runners: proposals made in a throw-away clone and pushed to the remote.

* ``runner`` - one ``plansmith ci`` run: fetch, decide (as the daemon does), run, push with leases;
* ``memory`` - what runners remember between runs, kept in the remote's ``refs/plansmith/ci/memory``;
* ``review_requests`` - pull/merge requests for pushed proposals (``gh``/``glab``), or a link to open one.

Every git command line is in :mod:`plansmith.git_backend.remote`; nothing here writes the working tree,
the index, HEAD or a branch outside the proposal prefix.
The package itself must not import anything or hold logic.
"""
