"""Where banks send the browser back, and the re-link link of a consent reminder (`?token=…`);
their paths are `BANK_ROUTES` in services.py. Both answer with a redirect or a short page."""

from __future__ import annotations

import html
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ai_service.core.errors import AppError, NotFound

log = logging.getLogger(__name__)
_HEADERS = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def _page(status: int, message: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>Bank link</title>"
                        f"<p>{html.escape(message)}</p>", status_code=status, headers=_HEADERS)


async def bank_callback(request: Request) -> Response:
    """GoCardless appends ?ref=<reference>, Enable Banking ?code=…&state=<reference>."""
    banking = request.app.state.services.banking
    params = {k: v[:2000] for k, v in request.query_params.items()}
    try:
        target = await banking.complete(params)
    except NotFound as exc:
        return _page(404, exc.message)
    except AppError as exc:
        return _page(400, exc.message)
    return RedirectResponse(target, status_code=303, headers=_HEADERS)


async def bank_relink(request: Request) -> Response:
    banking = request.app.state.services.banking
    try:
        connection_id = int(request.path_params["id"])
    except ValueError:
        return _page(404, "This re-link link is not valid")
    try:
        url = await banking.relink(connection_id, request.query_params.get("token", ""))
    except NotFound as exc:
        return _page(404, exc.message)
    except AppError as exc:
        return _page(502, exc.message)
    return RedirectResponse(url, status_code=303, headers=_HEADERS)
