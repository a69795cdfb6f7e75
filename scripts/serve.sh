#!/usr/bin/env bash
# Production start of the web process (Docker's `web` service runs this): migrate, collect static files,
# then serve config.asgi with uvicorn. uvicorn streams request bodies to the application, so the body limit
# (core/limits.py) refuses oversized uploads before they are read (Daphne buffers whole bodies in memory:
# docs/security.md). WEB_CONCURRENCY worker processes (default 1; set it to the cores the web server may use,
# README "Configuration"), HOST/PORT (0.0.0.0:8000). uvicorn uses httptools and uvloop (installed with the app).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-python}"
"$PY" manage.py migrate --no-input
# Without the collected files and their manifest every page answers 500 in production: stop here instead.
if ! "$PY" manage.py collectstatic --no-input -v0; then
  echo "serve.sh: collectstatic failed; the app cannot serve its pages without static files. Check STATIC_ROOT ($(pwd)/staticfiles) is writable." >&2
  exit 1
fi
exec "$PY" -m uvicorn config.asgi:application \
  --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-1}" \
  --ws websockets-sansio --ws-max-size "${WS_MAX_BYTES:-1048576}" \
  --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
  --timeout-keep-alive 5 --no-server-header
