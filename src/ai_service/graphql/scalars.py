"""Scalars beyond GraphQL's built-in ones, mapped in the schema's config."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

# Sums such as token counts outgrow GraphQL's 32-bit Int; JSON numbers are exact up to 2^53.
BigInt = NewType("BigInt", int)

SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A whole number beyond the 32 bits of Int (exact up to 2^53).",
        serialize=int,
        parse_value=int,
    ),
}
