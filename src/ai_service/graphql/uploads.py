"""The `Upload` scalar's values: files of a GraphQL multipart request (see view.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from starlette.datastructures import UploadFile

from ai_service.core.errors import BadUserInput


@dataclass(frozen=True)
class UploadedFile:
    stream: IO[bytes]  # spooled by Starlette: in memory up to 1 MiB, then a temporary file
    filename: str | None
    content_type: str | None
    size: int | None


def uploaded(value: object, field: str = "file") -> UploadedFile:
    """The file behind an `Upload` argument; a JSON value in its place is refused."""
    if not isinstance(value, UploadFile):
        raise BadUserInput(f"`{field}` must be a file sent as a multipart request (the GraphQL "
                           "multipart request spec)", field=field)
    value.file.seek(0)
    return UploadedFile(value.file, value.filename, value.content_type, value.size)
