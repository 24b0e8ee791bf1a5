"""Every error leaves with an `extensions.code`; unexpected ones are masked and logged with the
request id, so a client sees what it can fix and nothing of the server's insides."""

from __future__ import annotations

import logging

from graphql import GraphQLError, GraphQLSyntaxError

from ai_service.core.errors import AppError
from ai_service.core.logging import request_id_var

log = logging.getLogger("ai_service.graphql")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL_SERVER_ERROR"


def format_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, AppError):
        error.extensions = {"code": original.code, **original.extensions}
        return error
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        error.extensions = {"code": PARSE_FAILED}
        return error
    if (error.extensions or {}).get("code"):
        return error
    if error.path is None and error.nodes:
        # Request-level problems located in the document: variables that do not coerce,
        # a missing required variable, an unknown operation name.
        error.extensions = {"code": "BAD_USER_INPUT"}
        return error
    request_id = request_id_var.get()
    log.error(
        "unexpected error in %s: %s", ".".join(map(str, error.path or [])) or "operation", error,
        exc_info=(type(original), original, original.__traceback__) if original else None,
    )
    return GraphQLError(
        "Internal server error" + (f" (request id {request_id})" if request_id else ""),
        nodes=error.nodes,
        path=error.path,
        extensions={"code": INTERNAL, "requestId": request_id},
    )
