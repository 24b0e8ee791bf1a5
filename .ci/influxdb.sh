#!/usr/bin/env bash
# A real InfluxDB 1.x on 127.0.0.1:8086 for the market-store tests (Debian's `influxdb` package).
# Idempotent: does nothing when one already answers /ping. Exits non-zero, loudly, when it cannot
# get one running within INFLUXDB_WAIT seconds (30 by default).
#   INFLUXDB_DIR   where its config, meta/data/wal dirs and log live (/tmp/ai-service-influxdb)
set -euo pipefail

ADDRESS="127.0.0.1:8086"
DIR="${INFLUXDB_DIR:-/tmp/ai-service-influxdb}"
WAIT="${INFLUXDB_WAIT:-30}"

fail() { printf 'influxdb.sh: %s\n' "$*" >&2; exit 1; }
ping_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$ADDRESS/ping" || true; }

if [ "$(ping_status)" = "204" ]; then
  echo "InfluxDB already answers on $ADDRESS"
  exit 0
fi

if ! command -v influxd >/dev/null 2>&1; then
  echo "installing influxdb (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends influxdb >/dev/null \
    || fail "cannot install the influxdb package"
fi
command -v influxd >/dev/null 2>&1 || fail "influxd is not on PATH after installing influxdb"

mkdir -p "$DIR/meta" "$DIR/data" "$DIR/wal" || fail "cannot create $DIR"
# Everything on loopback; no phoning home, no self-monitoring database, no per-request logs.
cat >"$DIR/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:8088"

[meta]
  dir = "$DIR/meta"

[data]
  dir = "$DIR/data"
  wal-dir = "$DIR/wal"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "$ADDRESS"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
EOF

nohup influxd run -config "$DIR/influxdb.conf" >"$DIR/influxd.log" 2>&1 &
PID=$!
echo "$PID" >"$DIR/influxd.pid"

for _ in $(seq 1 "$((WAIT * 5))"); do
  if [ "$(ping_status)" = "204" ]; then
    echo "InfluxDB $(influxd version 2>/dev/null | awk '{print $2}') answers on $ADDRESS (pid $PID)"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    cat "$DIR/influxd.log" >&2 || true
    fail "influxd exited before answering /ping (log above)"
  fi
  sleep 0.2
done
cat "$DIR/influxd.log" >&2 || true
fail "InfluxDB did not answer /ping with 204 on $ADDRESS within ${WAIT}s (log above)"
