from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AiUsage(Model):
    """One call to a model provider: who, which model, how many tokens, how long, what it cost."""

    id = fields.BigIntField(primary_key=True)
    # Typed as any Model: this package does not import the users domain that owns the table.
    user: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "ai_service.User", related_name="ai_usage", null=True, on_delete=fields.SET_NULL
    )
    provider = fields.CharField(max_length=32)
    model = fields.CharField(max_length=128)
    operation = fields.CharField(max_length=16)  # complete | embed
    purpose = fields.CharField(max_length=64, default="")
    input_tokens = fields.IntField(default=0)
    output_tokens = fields.IntField(default=0)
    latency_ms = fields.IntField(default=0)
    cost_usd = fields.DecimalField(max_digits=14, decimal_places=6, default=0)
    succeeded = fields.BooleanField(default=True)
    error = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "ai_usage"
