"""Partial updates: a patch field that was not given holds KEEP ("leave it unchanged"), which
is not None (often "clear it")."""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class Keep(Enum):
    KEEP = "KEEP"


KEEP: Final = Keep.KEEP


def given(patch: DataclassInstance) -> dict[str, Any]:
    """The fields of a dataclass patch that were given (not KEEP), by name."""
    values = {field.name: getattr(patch, field.name) for field in fields(patch)}
    return {name: value for name, value in values.items() if value is not KEEP}
