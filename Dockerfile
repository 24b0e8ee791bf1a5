# syntax=docker/dockerfile:1
# ai-service: one image, one port (3001). Built in three stages:
#   web      builds web/ (the SPA, typed from schema.graphql, and the offline GraphiQL) into web/dist
#   build    builds the ai-service wheel, carrying web/dist and the migrations, into a venv
#   runtime  python slim + that venv, as a non-root user; nothing else
# Build arguments end up in /api/version and in the OCI labels:
#   docker build --build-arg VERSION=1.2.3 --build-arg COMMIT="$(git rev-parse HEAD)" \
#     --build-arg COMMIT_SHORT="$(git rev-parse --short HEAD)" \
#     --build-arg BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t ai-service:1.2.3 .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY schema.graphql /schema.graphql
COPY web/index.html web/vite.config.ts web/codegen.ts web/tsconfig.json ./
COPY web/scripts ./scripts
COPY web/graphiql ./graphiql
COPY web/src ./src
COPY web/test ./test
RUN npm run build

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
COPY --from=web /web/dist ./src/ai_service/web_dist
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
 && python -m venv /opt/ai-service \
 && /opt/ai-service/bin/pip install --no-cache-dir /wheels/ai_service-*.whl

FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=""
ARG BUILD_DATE=""
ARG COMMIT=""
ARG COMMIT_SHORT=""
LABEL org.opencontainers.image.title="ai-service" \
      org.opencontainers.image.description="Self-hosted money, trading and documents service with one GraphQL endpoint" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.created="${BUILD_DATE}" \
      org.opencontainers.image.revision="${COMMIT}" \
      com.centurylinklabs.watchtower.scope="ai-service"
RUN groupadd --system --gid 10001 ai \
 && useradd --system --uid 10001 --gid ai --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin ai \
 && mkdir -p /data/documents /data/logs /config /backups \
 && chown -R ai:ai /data /config /backups
COPY --from=build /opt/ai-service /opt/ai-service
# The root filesystem may be read-only (compose.yaml): no bytecode written at run time, and
# everything the app writes goes to /data, /backups or /tmp.
ENV PATH="/opt/ai-service/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    AI_SERVICE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3001 \
    DATA_DIR=/data \
    LOG_DIR=/data/logs \
    BACKUP_DIR=/backups \
    VERSION="${VERSION}" \
    BUILD_DATE="${BUILD_DATE}" \
    COMMIT="${COMMIT}" \
    COMMIT_SHORT="${COMMIT_SHORT}"
USER 10001:10001
WORKDIR /data
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-m", "ai_service.healthcheck"]
# Applies pending migrations first (after a backup when the database is not empty), then serves.
CMD ["ai-service", "serve", "--migrate"]
