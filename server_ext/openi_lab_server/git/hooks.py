"""The pre-receive hook: branch protection enforced inside git's own quarantine.

The server decides who may push what and passes the rules to ``git receive-pack`` in the
environment; the hook checks each updated ref, with the pushed objects already visible, so a
non-fast-forward is detected exactly as git sees it.
"""

from __future__ import annotations

import os
from pathlib import Path

PRE_RECEIVE = r"""#!/bin/sh
# openi_lab: branch protection (rules come from the server in the environment)
zero=0000000000000000000000000000000000000000
status=0
while read old new ref; do
  case " $OPENI_READONLY_REFS " in *" $ref "*)
    echo "openi: you may not push to $ref (protected branch)" >&2; status=1; continue;; esac
  if [ "$new" = "$zero" ]; then
    case " $OPENI_NODELETE_REFS " in *" $ref "*)
      echo "openi: $ref is protected and cannot be deleted" >&2; status=1; continue;; esac
  elif [ "$old" != "$zero" ]; then
    case " $OPENI_NOFORCE_REFS " in *" $ref "*)
      if ! git merge-base --is-ancestor "$old" "$new"; then
        echo "openi: force push to protected $ref refused" >&2; status=1; fi;; esac
  fi
done
exit $status
"""


def install_hooks(repo_path: Path) -> None:
    hooks = repo_path / "hooks"
    hooks.mkdir(exist_ok=True)
    hook = hooks / "pre-receive"
    if not hook.exists() or hook.read_text() != PRE_RECEIVE:
        hook.write_text(PRE_RECEIVE)
        os.chmod(hook, 0o755)
