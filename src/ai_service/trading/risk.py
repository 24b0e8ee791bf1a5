"""Risk settings as a strategy stores them and a run records them (clients read them back in
`configuration`): camelCase keys, the names the API and its errors use. Settings that are None
are left out; missing ones take the engine's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from ai_service.trading.backtest import RiskSettings


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


_FIELDS = {_camel(field.name): field.name for field in fields(RiskSettings)}


def risk_json(risk: RiskSettings | None) -> dict[str, Any]:
    """The stored form; None (no settings given) stores nothing."""
    if risk is None:
        return {}
    values = {key: getattr(risk, name) for key, name in _FIELDS.items()}
    return {key: value for key, value in values.items() if value is not None}


def risk_settings(stored: Mapping[str, Any]) -> RiskSettings:
    """RiskSettings from their stored form (checked on construction)."""
    return RiskSettings(**{_FIELDS[key]: value for key, value in stored.items()
                           if key in _FIELDS and value is not None})
