"""JSON logs with the request id of whatever request (or job) produced them.

Secrets registered with `redact()` are blanked out of every record as a last line of defence:
code must not log them in the first place.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import orjson

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName", "color_message",
}
_redacted: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    # Stamped when the record is made, so a handler formatting it later still knows.
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id_var.get()
    return record


if getattr(_base_factory, "__name__", "") != _record_with_request_id.__name__:
    logging.setLogRecordFactory(_record_with_request_id)


def redact(*values: str) -> None:
    """Never let these strings reach a log line."""
    _redacted.update(v for v in values if v and len(v) >= 8)


def _scrub(text: str) -> str:
    for secret in _redacted:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key != "request_id":
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return _scrub(orjson.dumps(entry, default=str).decode())


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        return _scrub(f"{text} [{request_id}]" if request_id else text)


def configure_logging(level: str = "INFO", fmt: str = "json", *, file: Path | None = None,
                      max_bytes: int = 10_485_760, backups: int = 5) -> None:
    """Log lines to stdout and, with `file`, to that file too (JSON lines whatever `fmt`,
    rotated by size: `backups` older files are kept). Secrets are scrubbed in both."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handlers: list[logging.Handler] = [handler]
    if file is not None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            rotating = RotatingFileHandler(file, maxBytes=max_bytes, backupCount=backups,
                                           encoding="utf-8")
        except OSError as exc:  # a read-only or full disk must not stop the service
            print(f"ai-service: cannot write logs to {file}: {exc}", file=sys.stderr)
        else:
            rotating.setFormatter(JsonFormatter())
            handlers.append(rotating)
    root = logging.getLogger()
    for old in root.handlers:
        if old not in handlers:
            old.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    # Our middleware writes one access line per request; uvicorn's would be a second.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # Tortoise logs every statement at DEBUG; keep that opt-in even when LOG_LEVEL=debug.
    logging.getLogger("tortoise").setLevel(max(logging.INFO, logging.getLevelName(level)))
    # HTTP clients log each request's URL at INFO, and Telegram's carries the bot token.
    for name in ("httpx", "httpcore", "openai", "anthropic"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
