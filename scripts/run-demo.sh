#!/usr/bin/env bash
# Command one: set up, migrate a SQLite database under ./var/, load the demo data (idempotent),
# start the web server and the background workers (egov serve) on 127.0.0.1:${PORT:-8000}.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
mkdir -p var
if [ ! -s var/secret_key ]; then
  python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > var/secret_key
  chmod 600 var/secret_key
fi
export EGOV_SECRET_KEY="$(cat var/secret_key)"
export EGOV_DEBUG="${EGOV_DEBUG:-0}" EGOV_HTTPS="${EGOV_HTTPS:-0}"
export PORT="${PORT:-8000}"
export EGOV_SITE_URL="${EGOV_SITE_URL:-http://127.0.0.1:$PORT}"
unset EGOV_DATABASE_URL  # the demo always uses ./var/egov.sqlite3

uv run egov migrate --noinput -v 0
uv run egov createcachetable
uv run egov collectstatic --noinput -v 0
uv run egov demo --quiet-accounts
echo
echo "eGov is running at http://127.0.0.1:$PORT/   (API: http://127.0.0.1:$PORT/api/v1/docs)"
uv run egov demo 2>/dev/null | sed -n '/Demo accounts/,$p'
echo "Stop with Ctrl-C. Data stays in ./var/."
exec uv run egov serve --port "$PORT"
