"""Who is asking: the authenticated platform user and what their credential allows."""

from __future__ import annotations

from dataclasses import dataclass, field

from openi_lab.schemas import Scope

#: Scopes imply the weaker ones: admin ⊃ write ⊃ read.
_SCOPE_RANK = {Scope.read: 1, Scope.write: 2, Scope.admin: 3}
ALL_SCOPES = frozenset(Scope)


@dataclass(frozen=True)
class Principal:
    id: int
    username: str
    is_admin: bool = False
    #: scopes of the token used; a Jupyter-authenticated session has them all.
    scopes: frozenset[Scope] = field(default=ALL_SCOPES)

    def allows(self, needed: Scope) -> bool:
        return any(_SCOPE_RANK[s] >= _SCOPE_RANK[needed] for s in self.scopes)
