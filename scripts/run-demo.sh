#!/usr/bin/env bash
# Command one: set up, migrate the database, load the demo data (idempotent), start the web
# server and the background workers (egov serve) on 127.0.0.1:${PORT:-8000}.
#   SQLite under ./var/ by default; PostgreSQL when EGOV_DATABASE_URL is set (as `make test`).
#   scripts/run-demo.sh --prepare-only   everything but serving (set-up, migrate, demo data)
# The secret key is written once to ./var/secret_key (EGOV_VAR_DIR moves ./var/), where every
# `uv run egov …` command of this checkout finds it; e-mails go to files under ./var/mail/.
set -euo pipefail
cd "$(dirname "$0")/.."
serve=1
if [ "${1:-}" = "--prepare-only" ]; then serve=0; fi
scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
var="${EGOV_VAR_DIR:-var}"
mkdir -p "$var"
if [ ! -s "$var/secret_key" ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > "$var/secret_key")
fi
export EGOV_DEBUG="${EGOV_DEBUG:-0}" EGOV_HTTPS="${EGOV_HTTPS:-0}"
export PORT="${PORT:-8000}"
export EGOV_SITE_URL="${EGOV_SITE_URL:-http://127.0.0.1:$PORT}"
if [ -n "${EGOV_DATABASE_URL:-}" ]; then
  echo "==> Database: PostgreSQL ($(printf '%s' "$EGOV_DATABASE_URL" | sed -E 's#//[^@/]*@#//#'))"
else
  echo "==> Database: SQLite ($var/egov.sqlite3)"
fi

uv run egov migrate --noinput -v 0
uv run egov createcachetable
uv run egov collectstatic --noinput -v 0
uv run egov demo --quiet-accounts
if [ "$serve" = 0 ]; then
  echo "Prepared (not serving). Start with: scripts/run-demo.sh"
  exit 0
fi
echo
echo "eGov is running at http://127.0.0.1:$PORT/   (API: http://127.0.0.1:$PORT/api/v1/docs)"
uv run egov demo 2>/dev/null | sed -n '/Demo accounts/,$p'
echo "E-mails the demo sends are written to $var/mail/ (one file per message batch)."
echo "Stop with Ctrl-C. Data stays in $var/."
exec uv run egov serve --port "$PORT"
