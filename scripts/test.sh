#!/usr/bin/env bash
# Run the whole test suite (arguments are passed to pytest). With DATABASE_URL/REDIS_URL set, the
# service-backed tests (PostgreSQL, Celery worker, Redis channel layer) run too; with CI=true they
# must run: a skip is a failure there.
source "$(dirname "$0")/_env.sh"
# The tests run with the production pool (DB_POOL_MAX_SIZE, default 10): every thread returns its
# connection after each unit of work (docs/security.md, "Database connections";
# tests/core/test_connection_pool.py).
"$VENV/bin/ruff" check .
exec "$PY" -m pytest "$@"
