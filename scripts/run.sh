#!/usr/bin/env bash
# Run Spielraum locally: venv + dependencies, migrations, demo data (first start only), server on
# HOST:PORT (default 127.0.0.1:8000). Prints URL and a demo login.
# Embedded default: SQLite, jobs in-process, in-memory channel layer. Set DATABASE_URL / REDIS_URL to use
# PostgreSQL and Redis (then start a worker too: .venv/bin/celery -A config worker).
source "$(dirname "$0")/_env.sh"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
"$PY" manage.py migrate --no-input -v0
"$PY" manage.py fail_stale_jobs --orphaned >/dev/null
# The demo is loaded once; later starts leave it (and whatever users imported or changed) alone.
# SPIELRAUM_DEMO=reload refreshes it, SPIELRAUM_DEMO=off skips it (an installation for real municipalities).
case "${SPIELRAUM_DEMO:-once}" in
  reload) "$PY" manage.py load_demo >/dev/null ;;
  off) ;;
  *) "$PY" manage.py load_demo --if-missing >/dev/null ;;
esac
cat <<TXT

  Spielraum is running at http://$HOST:$PORT/
  Demo login: planung / spielraum-demo   (other roles: admin, kaemmerei, moderation, gast; same password)
  Stop with Ctrl+C.

TXT
# uvicorn streams request bodies (the body limit needs it, docs/security.md); WEB_CONCURRENCY processes.
# The embedded default (SQLite, jobs in a thread of the web process) needs one process.
exec "$VENV/bin/uvicorn" config.asgi:application --host "$HOST" --port "$PORT" \
  --workers "${WEB_CONCURRENCY:-1}" --ws websockets-sansio --ws-max-size 1048576 --log-level warning
