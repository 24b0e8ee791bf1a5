from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from ai_service.integrations.providers import Provider

if TYPE_CHECKING:
    from ai_service.users.models import User

GLOBAL_SCOPE = "global"


class IntegrationState(StrEnum):
    UNTESTED = "UNTESTED"
    CONNECTED = "CONNECTED"
    FAILED = "FAILED"


def user_scope(user_id: int) -> str:
    return f"user:{user_id}"


class Integration(Model):
    """One provider's credentials for the whole instance (owner NULL) or for one user.

    `scope` ("global" or "user:<id>") carries the uniqueness that a nullable owner cannot, and it
    is part of each sealed secret's associated data.
    """

    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=40)
    owner: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="integrations", null=True, on_delete=fields.CASCADE
    )
    provider = fields.CharEnumField(Provider, max_length=32)
    settings: dict[str, str] = fields.JSONField(default=dict)
    secrets: dict[str, str] = fields.JSONField(default=dict)
    masks: dict[str, str] = fields.JSONField(default=dict)
    status = fields.CharEnumField(IntegrationState, max_length=16,
                                  default=IntegrationState.UNTESTED)
    last_checked_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "integrations"
        unique_together = (("scope", "provider"),)

    @property
    def is_global(self) -> bool:
        return self.scope == GLOBAL_SCOPE
