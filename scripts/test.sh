#!/usr/bin/env bash
# Command two: set up (including test packages), then run the whole suite.
# SQLite by default; PostgreSQL when EGOV_DATABASE_URL is set (pytest-django creates a fresh
# test_<name> database and drops it afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$HOME/.local/bin:$PATH"
if [ -n "${EGOV_DATABASE_URL:-}" ]; then db="PostgreSQL ($EGOV_DATABASE_URL)"; else db="SQLite"; fi
echo "==> Test suite on $db"
# pytest exits 5 when it collected no test: that counts as a failure here too.
exec uv run pytest --create-db "$@"
