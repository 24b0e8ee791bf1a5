"""The app as `ai-service serve` builds it, plus `/api/bench/me`: the `me` query as a bare route.

    PORT=8000 DATA_DIR=... .venv/bin/python benchmarks/_server.py

Settings come from the environment only (no .env file). uvicorn runs as `serve` runs it: one
worker, uvloop + httptools when installed, log_config=None, its access log off (our
middleware's access line obeys LOG_LEVEL).
"""

from __future__ import annotations

import os

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ai_service.app import create_app
from ai_service.config import Settings, load_settings
from ai_service.core.errors import Unauthenticated
from ai_service.core.logging import configure_logging
from ai_service.graphql.view import bearer_token


async def bench_me(request: Request) -> Response:
    """What a hand-written endpoint for `{ me { id email fullName role } }` would do: the same
    authentication (JWT decode + one session-join-user query) and the same JSON answer."""
    try:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise Unauthenticated()
        principal = await request.app.state.services.auth.authenticate(token)
    except Unauthenticated as exc:
        body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
        return Response(orjson.dumps(body), status_code=401, media_type="application/json")
    user = principal.user
    me = {"id": str(user.id), "email": user.email, "fullName": user.full_name,
          "role": user.role.value}
    return Response(orjson.dumps({"data": {"me": me}}), media_type="application/json")


def build_app(settings: Settings) -> Starlette:
    return create_app(settings, extra_routes=[
        Route("/api/bench/me", bench_me, methods=["GET", "POST"]),
    ])


def main() -> None:
    settings = load_settings(environ=os.environ, env_file=None)
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(build_app(settings), host="127.0.0.1", port=int(os.environ["PORT"]),
                log_config=None, access_log=False, server_header=False)


if __name__ == "__main__":
    main()
