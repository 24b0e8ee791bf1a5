"""Scalars beyond GraphQL's built-in ones, mapped in the schema's config."""

from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

# Sums such as token counts outgrow GraphQL's 32-bit Int; JSON numbers are exact up to 2^53.
BigInt = NewType("BigInt", int)

# Bulk series (candles, equity curves) as one JSON array per column: a `[Float!]!` list costs
# graphql-core a resolution step per item (about 8 us), a scalar one serialisation per column.
FloatSeries = NewType("FloatSeries", list[float])
IntSeries = NewType("IntSeries", list[int])


def _numbers(value: object, kind: type) -> list[object]:
    if not isinstance(value, list) or not all(
            isinstance(v, kind) and not isinstance(v, bool) for v in value):
        raise ValueError(f"expected a list of {kind.__name__} values")
    return value


SCALARS: dict[object, ScalarDefinition] = {
    FloatSeries: strawberry.scalar(
        name="FloatSeries",
        description="A column of numbers: a JSON array of floats.",
        serialize=list,
        parse_value=lambda value: _numbers(value, (int, float)),  # type: ignore[arg-type]
    ),
    IntSeries: strawberry.scalar(
        name="IntSeries",
        description="A column of whole numbers (e.g. epoch seconds): a JSON array, exact up "
                    "to 2^53.",
        serialize=list,
        parse_value=lambda value: _numbers(value, int),
    ),
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A whole number beyond the 32 bits of Int (exact up to 2^53).",
        serialize=int,
        parse_value=int,
    ),
}
