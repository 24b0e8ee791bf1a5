"""A user's link to a bank through an open-banking provider (see finance/banking/linking.py).

Model docstrings stay comments: Tortoise copies docstrings into migrations as table comments.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ai_service.users.models import User


class ConnectionStatus(StrEnum):
    PENDING = "PENDING"  # the user was sent to the bank and has not come back yet
    LINKED = "LINKED"  # consent given: accounts sync
    EXPIRED = "EXPIRED"  # the consent lapsed: link the bank again
    REJECTED = "REJECTED"  # the user cancelled or the bank refused
    REVOKED = "REVOKED"  # disconnected by the user, the bank, or replaced by a new link
    FAILED = "FAILED"  # completing the consent failed; last_error says why


class BankConnection(Model):
    # One consent at one bank through one provider. `reference` is the random value the
    # provider hands back to the callback (GoCardless ref, Enable Banking state);
    # `provider_ref` the consent to keep (GoCardless requisition id, Enable Banking session id;
    # the Enable Banking authorization id until the callback completes it).
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="bank_connections", on_delete=fields.CASCADE)
    provider = fields.CharField(max_length=20)
    institution_id = fields.CharField(max_length=200)
    institution_name = fields.CharField(max_length=200)
    status = fields.CharEnumField(ConnectionStatus, max_length=16,
                                  default=ConnectionStatus.PENDING)
    reference = fields.CharField(max_length=64, unique=True)
    provider_ref = fields.CharField(max_length=200, null=True)
    return_url = fields.CharField(max_length=2000, null=True)  # where the browser goes after
    callback_url = fields.CharField(max_length=500, null=True)  # our callback the bank knows
    max_history_days = fields.IntField(null=True)
    consent_expires_at = fields.DatetimeField(null=True)
    last_synced_at = fields.DatetimeField(null=True)
    # Set when the bank or its limits pushed the next sync out (a 429, a used-up quota).
    next_sync_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    # Provider account ids whose details were fetched under this consent (once per consent).
    details_known: list[str] = fields.JSONField(default=list)
    # Part of the sync job dedupe key: bumped when a sync finished, so the next one may start.
    sync_generation = fields.IntField(default=0)
    # The smallest "days before the consent lapses" reminder already sent.
    reminded_days = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    owner_id: int

    class Meta:
        table = "bank_connections"
