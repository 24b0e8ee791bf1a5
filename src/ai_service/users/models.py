from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class User(Model):
    id = fields.BigIntField(primary_key=True)
    # Stored lower-cased, so the unique constraint makes emails case-insensitively unique.
    email = fields.CharField(max_length=254, unique=True)
    full_name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.MEMBER)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    last_login_at = fields.DatetimeField(null=True)
    password_changed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class AuthSession(Model):
    """One login: the family of refresh tokens that rotate from it."""

    id = fields.UUIDField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, null=True)
    ip = fields.CharField(max_length=45, null=True)
    user_agent = fields.CharField(max_length=255, null=True)

    user_id: int

    class Meta:
        table = "auth_sessions"


class RefreshToken(Model):
    id = fields.BigIntField(primary_key=True)
    session: fields.ForeignKeyRelation[AuthSession] = fields.ForeignKeyField(
        "ai_service.AuthSession", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    # Set when the token is exchanged; presenting it again means it was stolen.
    used_at = fields.DatetimeField(null=True)

    session_id: str

    class Meta:
        table = "refresh_tokens"
