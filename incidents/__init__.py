"""`incidents`: case management for allegations about adults and policy breaches in schools.

Importing the package stays cheap (no Flask, no database): the audit verifier a local
authority runs lives inside it and must need only the standard library and `cryptography`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incidents.app import create_app
else:

    def create_app(*args: Any, **kwargs: Any) -> Any:
        from incidents.app import create_app as build

        return build(*args, **kwargs)


__all__ = ["create_app"]
