"""GraphQL for accounts and authentication: a thin layer over UserService and AuthService."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAdmin, IsAuthenticated, Public
from ai_service.users.auth import AuthResult
from ai_service.users.models import Role, User

strawberry.enum(Role, name="Role", description="ADMIN manages users and settings.")


@strawberry.type(name="User")
class UserType:
    id: strawberry.ID
    email: str
    full_name: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserType:
        return cls(
            id=strawberry.ID(str(user.id)), email=user.email, full_name=user.full_name,
            role=user.role, active=user.is_active, created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


@strawberry.type
class AuthPayload:
    access_token: str = strawberry.field(description="Bearer token, valid for `expiresAt`.")
    refresh_token: str = strawberry.field(
        description="Exchange with `refreshToken` for a new pair; each one works once."
    )
    expires_at: datetime
    user: UserType

    @classmethod
    def of(cls, result: AuthResult) -> AuthPayload:
        return cls(
            access_token=result.access_token, refresh_token=result.refresh_token,
            expires_at=result.expires_at, user=UserType.of(result.user),
        )


@strawberry.input
class CreateUserInput:
    email: str
    password: str
    full_name: str = ""
    role: Role = Role.MEMBER


@strawberry.input
class UpdateUserInput:
    full_name: str | None = None
    role: Role | None = None
    active: bool | None = None


@strawberry.type
class UserQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The signed-in user.")
    async def me(self, info: Info[Context, None]) -> UserType:
        return UserType.of(await info.context.user())

    @strawberry.field(permission_classes=[Public],
                      description="True until the first administrator exists (first-run setup).")
    async def needs_setup(self, info: Info[Context, None]) -> bool:
        return not await info.context.services.users.any_exist()

    @strawberry.field(permission_classes=[IsAdmin],
                      description="Every user, oldest first. Administrators only.")
    async def users(
        self, info: Info[Context, None], first: int = 20, after: str | None = None
    ) -> Connection[UserType]:
        await info.context.admin()
        page = await info.context.services.users.page(first, after)
        return Connection.of(page, UserType.of)


@strawberry.type
class UserMutation:
    @strawberry.mutation(
        permission_classes=[Public],
        description="First-run setup without a token: creates the first administrator and signs "
        "them in. Refused once any user exists."
    )
    async def create_first_admin(
        self, info: Info[Context, None], email: str, password: str, full_name: str = ""
    ) -> AuthPayload:
        ctx = info.context
        await ctx.services.users.create_first_admin(email, password, full_name, ctx.client)
        return AuthPayload.of(await ctx.services.auth.login(email, password, ctx.client))

    @strawberry.mutation(permission_classes=[Public])
    async def login(self, info: Info[Context, None], email: str, password: str) -> AuthPayload:
        ctx = info.context
        return AuthPayload.of(await ctx.services.auth.login(email, password, ctx.client))

    @strawberry.mutation(permission_classes=[Public],
                         description="Rotates: the token given is spent, a new pair returned.")
    async def refresh_token(self, info: Info[Context, None], refresh_token: str) -> AuthPayload:
        ctx = info.context
        return AuthPayload.of(await ctx.services.auth.refresh(refresh_token, ctx.client))

    @strawberry.mutation(permission_classes=[Public],
                         description="Ends the session the refresh token belongs to.")
    async def logout(self, info: Info[Context, None], refresh_token: str) -> bool:
        await info.context.services.auth.logout(refresh_token, info.context.client)
        return True

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Signs out every other session of the user.")
    async def change_password(
        self, info: Info[Context, None], current_password: str, new_password: str
    ) -> bool:
        ctx = info.context
        await ctx.services.users.change_password(
            await ctx.user(), current_password, new_password,
            session_id=await ctx.session_id(), client=ctx.client,
        )
        return True

    @strawberry.mutation(permission_classes=[IsAdmin],
                         description="Administrators only.")
    async def create_user(self, info: Info[Context, None], input: CreateUserInput) -> UserType:
        ctx = info.context
        admin = await ctx.admin()
        user = await ctx.services.users.create(
            input.email, input.password, input.full_name, input.role,
            actor=admin, client=ctx.client,
        )
        return UserType.of(user)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Administrators only. Deactivating signs the user out everywhere at once."
    )
    async def update_user(
        self, info: Info[Context, None], id: strawberry.ID, input: UpdateUserInput
    ) -> UserType:
        ctx = info.context
        admin = await ctx.admin()
        user = await ctx.services.users.update(
            parse_id(id), actor=admin, client=ctx.client, full_name=input.full_name,
            role=input.role if input.role is not None else None, active=input.active,
        )
        return UserType.of(user)

    @strawberry.mutation(permission_classes=[IsAdmin],
                         description="Administrators only. Signs the user out everywhere.")
    async def reset_user_password(
        self, info: Info[Context, None], id: strawberry.ID, new_password: str
    ) -> UserType:
        ctx = info.context
        admin = await ctx.admin()
        user = await ctx.services.users.reset_password(
            parse_id(id), new_password, actor=admin, client=ctx.client
        )
        return UserType.of(user)
