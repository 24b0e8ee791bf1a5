"""The web app's files from `web/dist`, with an index.html fallback for client-side routes,
and the offline GraphiQL (its scripts are bundled by the web build, never fetched from a CDN)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

# Paths the fallback must never answer with index.html: an API client or a missing asset
# gets a plain 404, not a page.
RESERVED_PREFIXES = ("/graphql", "/graphiql", "/health", "/status", "/api", "/.well-known")
IMMUTABLE = "public, max-age=31536000, immutable"


def _static(name: str) -> str:
    return files("ai_service").joinpath("static", name).read_text(encoding="utf-8")


def _dist_file(dist: Path, url_path: str) -> Path | None:
    """The file under `dist` that a URL path names, refusing anything that escapes it."""
    relative = PurePosixPath(url_path.lstrip("/"))
    if any(part in ("..", "") or part.startswith(".") for part in relative.parts):
        return None
    candidate = dist.joinpath(*relative.parts)
    try:
        candidate.resolve().relative_to(dist.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def not_found() -> JSONResponse:
    return JSONResponse({"error": "not found"}, status_code=404)


async def spa(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return JSONResponse({"error": "method not allowed"}, status_code=405)
    path = request.url.path
    if path.startswith(RESERVED_PREFIXES):
        return not_found()
    dist: Path = request.app.state.settings.web_dist_dir
    if path != "/" and (file := _dist_file(dist, path)) is not None:
        # Vite puts a content hash in every asset's name: a new build means new names.
        if path.startswith("/assets/"):
            return FileResponse(file, headers={"cache-control": IMMUTABLE})
        return FileResponse(file)
    if PurePosixPath(path).suffix:  # a missing asset stays missing
        return not_found()
    index = dist / "index.html"
    if index.is_file():
        return FileResponse(index, headers={"cache-control": "no-cache"})
    return HTMLResponse(_static("placeholder.html"))


def graphiql_response(dist: Path) -> Response:
    page = dist / "graphiql" / "index.html"
    if page.is_file():
        return FileResponse(page, headers={"cache-control": "no-cache"})
    return HTMLResponse(_static("graphiql-missing.html"), status_code=503)


async def graphiql(request: Request) -> Response:
    if not request.app.state.settings.graphiql_enabled:
        return not_found()
    return graphiql_response(request.app.state.settings.web_dist_dir)


async def graphiql_asset(request: Request) -> Response:
    dist: Path = request.app.state.settings.web_dist_dir / "graphiql"
    file = _dist_file(dist, request.path_params["path"])
    return FileResponse(file) if file is not None else not_found()
