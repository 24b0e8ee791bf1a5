from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.BigIntField(primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    actor_id = fields.BigIntField(null=True, db_index=True)
    # A snapshot: stays readable when the user is deleted, and names failed logins.
    actor_email = fields.CharField(max_length=254, null=True)
    action = fields.CharField(max_length=64, db_index=True)
    target_type = fields.CharField(max_length=32, null=True)
    target_id = fields.CharField(max_length=64, null=True)
    ip = fields.CharField(max_length=45, null=True)
    request_id = fields.CharField(max_length=64, null=True)
    details: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "audit_events"
