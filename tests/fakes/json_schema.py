"""A small value that satisfies a JSON schema, as a model answering structured output does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def example_for(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """A small value that satisfies `schema` (objects with their required properties, enums,
    consts, $ref/$defs, anyOf/oneOf/allOf, bounds), as a model answering structured output."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 20:
        return None
    if "$ref" in schema:
        return example_for(_resolve(schema["$ref"], root), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if not (isinstance(o, dict) and o.get("type") == "null")]
            return example_for((options or schema[key])[0], root, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(part, root, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
            else:
                return value
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return _EXAMPLES.get(kind, lambda s, r, d: None)(schema, root, depth)


def _resolve(ref: str, root: Any) -> Any:
    node = root
    for part in ref.removeprefix("#/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _example_object(schema: dict[str, Any], root: Any, depth: int) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {name: example_for(properties.get(name, {}), root, depth + 1)
            for name in schema.get("required", [])}


def _example_array(schema: dict[str, Any], root: Any, depth: int) -> list[Any]:
    count = max(schema.get("minItems", 0), 1)
    if "maxItems" in schema:
        count = min(count, schema["maxItems"])
    return [example_for(schema.get("items", {}), root, depth + 1) for _ in range(count)]


_STRING_FORMATS = {"date": "2024-01-31", "date-time": "2024-01-31T12:00:00Z",
                   "time": "12:00:00", "email": "someone@example.com",
                   "uri": "https://example.com/", "uuid": "00000000-0000-4000-8000-000000000000"}


def _example_string(schema: dict[str, Any], root: Any, depth: int) -> str:
    text = _STRING_FORMATS.get(schema.get("format", ""), "example")
    text = text.ljust(schema.get("minLength", 0), "x")
    return text[: schema["maxLength"]] if "maxLength" in schema else text


def _example_number(schema: dict[str, Any], root: Any, depth: int) -> float | int:
    integer = schema.get("type") == "integer" or "integer" in (schema.get("type") or [])
    step = 1 if integer else 0.5
    value: float = 0
    if "minimum" in schema:
        value = schema["minimum"]
    elif "exclusiveMinimum" in schema:
        value = schema["exclusiveMinimum"] + step
    if "maximum" in schema and value > schema["maximum"]:
        value = schema["maximum"]
    elif "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        value = schema["exclusiveMaximum"] - step
    return int(value) if integer else float(value)


_EXAMPLES: dict[str, Callable[[dict[str, Any], Any, int], Any]] = {
    "object": _example_object, "array": _example_array, "string": _example_string,
    "integer": _example_number, "number": _example_number,
    "boolean": lambda s, r, d: True, "null": lambda s, r, d: None,
}
