"""The `/graphql` endpoint: strawberry's ASGI view with our context, limits and error shape.

- POST runs queries and mutations, GET queries only, WebSocket subscriptions
  (graphql-transport-ws); a browser asking for HTML gets the offline GraphiQL.
- Uploads follow the GraphQL multipart request spec (`Upload` scalar), under their own limit.
- Bodies over the limit get 413 and malformed requests 400, both as GraphQL errors.
- The everyday request, JSON in and out, takes a short path straight to `schema.execute`;
  strawberry's general view (built for every framework and transport) costs a fifth of a
  small query's time. Everything else (GraphiQL, WebSocket, other content types) goes to it.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from ai_service.config import Settings
from ai_service.core.client import ClientInfo
from ai_service.core.errors import Unauthenticated
from ai_service.core.http import bearer_token, client_ip
from ai_service.core.logging import request_id_var
from ai_service.core.web import graphiql_response
from ai_service.graphql.context import Context
from ai_service.graphql.schema import Schema

_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
          413: "PAYLOAD_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}


class _TooLarge(Exception):
    pass


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    code = _CODES.get(status, "BAD_REQUEST")
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


_QUERIES = frozenset({OperationType.QUERY})
_QUERIES_AND_MUTATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


def _is_plain_json(request: Request) -> bool:
    """A JSON POST, or a GET that carries a query: the requests the short path serves."""
    if request.method == "POST":
        return request.headers.get("content-type", "").startswith("application/json")
    return request.method == "GET" and "query" in request.query_params


def _is_multipart(scope: Scope) -> bool:
    content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return content_type.lower().startswith(b"multipart/form-data")


class _TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def run_operation(self, operation: Any) -> None:
        # Each operation runs in its own task: give it its own loaders and authenticate it
        # afresh, so a connection outliving a token or a deactivation stops serving.
        self.context.fresh_loaders()
        self.context.forget_principal()
        await super().run_operation(operation)


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = _TransportWSHandler

    def __init__(self, schema: Schema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=20,
            allowed_origins=settings.cors_origins,
            # Safe from CSRF: only a bearer token authenticates, never a cookie a form could send.
            multipart_uploads_enabled=True,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        limit = (self.settings.max_upload_bytes if _is_multipart(scope)
                 else self.settings.max_request_bytes)
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = error_response(413, f"Request body is larger than {limit} bytes")
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        request = Request(scope, receive=limited_receive)
        try:
            if _is_plain_json(request):
                response = await self._execute_json(request)
            else:
                response = await self.run(request)
        except _TooLarge:
            response = error_response(413, f"Request body is larger than {limit} bytes")
        except HTTPException as exc:
            allow = {"allow": "POST"} if exc.status_code == 405 else None
            response = error_response(exc.status_code, exc.reason, allow)
        await response(scope, receive, send)

    async def _execute_json(self, request: Request) -> Response:
        if request.method == "GET":
            params = request.query_params
            variables = params.get("variables")
            data: Any = {"query": params.get("query"), "operationName": params.get("operationName"),
                         "variables": self.parse_json(variables) if variables else None}
            allowed = _QUERIES
        else:
            data = self.parse_json(await request.body())
            allowed = _QUERIES_AND_MUTATIONS
        if not isinstance(data, dict):
            raise HTTPException(400, "Batched operations are not supported")
        query, variables, operation = data.get("query"), data.get("variables"), data.get(
            "operationName")
        if not isinstance(query, str | None):
            raise HTTPException(400, "The GraphQL operation's `query` must be a string or null.")
        if not isinstance(variables, dict | None):
            raise HTTPException(400, "The GraphQL operation's `variables` must be an object.")
        if not isinstance(operation, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string.")
        try:
            result = await self.schema.execute(
                query, variable_values=variables, operation_name=operation,
                context_value=await self.get_context(request, None),
                allowed_operation_types=allowed,
            )
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:  # a mutation by GET, a subscription by HTTP
            status = 405 if request.method == "GET" else 400
            raise HTTPException(status, exc.as_http_error_reason(request.method)) from exc
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return Response(orjson.dumps(body), media_type="application/json")

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return parsed

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            services=request.app.state.services,
            request=request,
            response=response,
            client=ClientInfo(
                ip=client_ip(request.scope),
                user_agent=request.headers.get("user-agent"),
                request_id=request_id_var.get(),
            ),
            authorization=bearer_token(request.headers.get("authorization")),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """The token travels in connection_init: `{"Authorization": "Bearer …"}`."""
        params = context.connection_params or {}
        raw = params.get("Authorization") or params.get("authorization")
        token = bearer_token(raw) if isinstance(raw, str) else None
        if token is None and isinstance(params.get("authToken"), str):
            token = params["authToken"]
        acknowledge: UnsetType = UNSET
        if token is None:
            return acknowledge  # anonymous: operations that need a user answer UNAUTHENTICATED
        context.authorization = token
        try:
            await context.principal()
        except Unauthenticated as exc:
            raise ConnectionRejectionError() from exc
        return acknowledge

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql_response(self.settings.web_dist_dir)

    def encode_json(self, data: object) -> str:
        # A str, not bytes: strawberry sends bytes over a WebSocket as binary frames, and
        # graphql-transport-ws clients in browsers (graphql-ws, GraphiQL) only read text.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)
