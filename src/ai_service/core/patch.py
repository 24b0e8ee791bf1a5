"""Partial updates: a field a patch leaves at `KEEP` is not touched, while `None` clears it.

Services take frozen dataclasses whose optional fields default to `KEEP`; the API layer maps
its own "not given" (GraphQL's UNSET) to it, so no service ever sees a transport's marker.
"""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class Keep(Enum):
    """The type of `KEEP`: an enum of one member, so `value is KEEP` narrows for mypy."""

    KEEP = "KEEP"

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = Keep.KEEP


def changes(patch: DataclassInstance) -> dict[str, Any]:
    """The fields a patch sets, by name, in the order the dataclass declares them."""
    return {f.name: value for f in fields(patch)
            if (value := getattr(patch, f.name)) is not KEEP}
