"""`GET /api/documents/{id}/file`: the original file, for its owner, with the bearer token
like GraphQL. Always an attachment: an uploaded HTML file must never run on our origin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ai_service.core.errors import AppError, NotFound, Unauthenticated
from ai_service.core.http import bearer_token
from ai_service.core.pagination import parse_id

_STATUS = {"UNAUTHENTICATED": 401, "NOT_FOUND": 404, "BAD_USER_INPUT": 404, "FORBIDDEN": 403}


async def download_document(request: Request) -> Response:
    services = request.app.state.services
    try:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise Unauthenticated()
        principal = await services.auth.authenticate(token)
        try:
            document_id = parse_id(request.path_params["id"])
        except AppError:
            raise NotFound("Document not found") from None
        document, path = await services.documents.file(principal.user, document_id)
    except AppError as exc:
        status = _STATUS.get(exc.code, 400)
        headers = {"www-authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"errors": [{"message": exc.message,
                                         "extensions": {"code": exc.code}}]},
                            status_code=status, headers=headers)
    return FileResponse(
        path, media_type=document.mime_type, filename=document.filename,
        content_disposition_type="attachment",
        headers={"cache-control": "private, no-store", "x-content-type-options": "nosniff"},
    )
