"""Colours as users give them (tags, categories): `#rrggbb`, stored lower case; anything else is
a clear BAD_USER_INPUT, the same everywhere."""

from __future__ import annotations

import re

from ai_service.core.errors import BadUserInput

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def check_color(value: str | None, field: str = "color") -> str | None:
    if value is None:
        return None
    if not _COLOR.fullmatch(value.strip()):
        raise BadUserInput("A colour is written #rrggbb, e.g. #1f77b4", field=field)
    return value.strip().lower()
