"""`/metrics` in the Prometheus text format, closed unless METRICS_TOKEN or METRICS_ALLOW is set.

Two kinds of numbers:
- counted in this process as things happen: GraphQL operations by name and type, their latency,
  their errors by code (one timing per operation in the GraphQL guard, never per field, and
  nothing at all while metrics are off);
- read from the database at scrape time, so they are right whatever process did the work: job
  queue depth by kind and state (DEAD = failed for good), and what the composition root adds
  (AI calls and tokens from `ai_usage`).

A domain adds its own scrape-time numbers with `add_source` (e.g. bank sync results read from
its table) or its own counters on `METRICS.registry`.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise.functions import Count

from ai_service.core.http import client_ip

log = logging.getLogger(__name__)

_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_NAMES = 200  # distinct names kept as labels; the rest count as "other"
Source = Callable[[], Awaitable[Iterable[Metric]]]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        self.operations = Counter(
            "ai_service_graphql_operations", "GraphQL operations by operation name and type",
            ["operation", "type"], registry=self.registry)
        self.latency = Histogram(
            "ai_service_graphql_operation_duration_seconds",
            "GraphQL operation time from parse to result, by operation name", ["operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry)
        self.errors = Counter(
            "ai_service_graphql_errors", "GraphQL errors by extensions.code", ["code"],
            registry=self.registry)
        self._names: set[str] = set()
        self.sources: list[Source] = [_job_metrics]

    def operation_label(self, name: str | None) -> str:
        """A bounded label: client-chosen names cannot grow memory without limit."""
        if not name:
            return "anonymous"
        if name in self._names:
            return name
        if not _OPERATION_NAME.match(name) or len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe(self, name: str | None, kind: str, seconds: float,
                error_codes: Iterable[str]) -> None:
        label = self.operation_label(name)
        self.operations.labels(label, kind).inc()
        self.latency.labels(label).observe(seconds)
        for code in error_codes:
            self.errors.labels(code).inc()

    def add_source(self, source: Source) -> None:
        """Numbers computed at scrape time (an async function returning metric families); adding
        the same source again changes nothing."""
        if source not in self.sources:
            self.sources.append(source)

    async def render(self) -> bytes:
        scraped = CollectorRegistry(auto_describe=False)
        families: list[Metric] = []
        for source in self.sources:
            try:
                families.extend(await source())
            except Exception:  # a database hiccup must not break the whole scrape
                log.warning("metrics source %s failed", getattr(source, "__name__", source),
                            exc_info=True)
        scraped.register(_Static(families))
        return generate_latest(self.registry) + generate_latest(scraped)


class _Static:
    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families



async def _job_metrics() -> Iterable[Metric]:
    from ai_service.core.jobs.models import Job, JobState

    rows = await Job.annotate(n=Count("id")).group_by("kind", "state").values("kind", "state",
                                                                               "n")
    depth = GaugeMetricFamily("ai_service_jobs", "Jobs in the queue by kind and state "
                              "(DEAD: failed for good; kept JOB_RETENTION_DAYS)",
                              labels=["kind", "state"])
    seen: set[str] = set()
    for row in rows:
        depth.add_metric([str(row["kind"]), str(row["state"])], float(row["n"]))
        seen.add(str(row["state"]))
    for state in JobState:  # every state present, so a queue that empties reads 0, not gap
        if state.value not in seen:
            depth.add_metric(["", state.value], 0.0)
    return [depth]


METRICS = Metrics()


def _allowed(request: Request) -> bool:
    settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if settings.metrics_token and header.lower().startswith("bearer ") and hmac.compare_digest(
            header[7:].strip().encode(), settings.metrics_token.encode()):
        return True
    if settings.metrics_allow and (ip := client_ip(request.scope)):
        address = ipaddress.ip_address(ip)
        return any(address in ipaddress.ip_network(n, strict=False)
                   for n in settings.metrics_allow)
    return False


async def metrics_endpoint(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.metrics_enabled:
        return JSONResponse({"error": "not found"}, status_code=404)
    if not _allowed(request):
        headers = {"www-authenticate": "Bearer"} if settings.metrics_token else None
        return JSONResponse({"error": "unauthorized"}, status_code=401, headers=headers)
    return Response(await METRICS.render(), media_type=CONTENT_TYPE_LATEST)


def observe_result(name: str | None, kind: str, seconds: float, result: Any) -> None:
    codes = []
    for error in getattr(result, "errors", None) or ():
        extensions = getattr(error, "extensions", None) or {}
        codes.append(str(extensions.get("code") or "INTERNAL_SERVER_ERROR"))
    METRICS.observe(name, kind, seconds, codes)
