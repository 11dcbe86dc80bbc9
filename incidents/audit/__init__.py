"""The audit trail: `record(...)` is the one way in, called by services inside the same
transaction as the change it records, never from a view and never after commit.

This package's `__init__` stays light (no database imports) so that `tlog` and the standalone
`verifier` can be used by a local authority with only the standard library and `cryptography`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from incidents.audit.actions import HIGH_STAKES, Action

if TYPE_CHECKING:
    from incidents.audit.log import lock, record

__all__ = ["HIGH_STAKES", "Action", "lock", "record"]


def __getattr__(name: str) -> Any:
    if name == "record":
        from incidents.audit.log import record

        return record
    if name == "lock":
        from incidents.audit.log import lock

        return lock
    raise AttributeError(name)
