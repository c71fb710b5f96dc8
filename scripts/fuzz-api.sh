#!/usr/bin/env bash
# A bounded schemathesis run over the whole OpenAPI of /api/v1/, twice: with a clerk's Bearer
# token (`vanthu` of the demo) and without authentication; then a third pass over the civil-status
# operations only (/api/v1/civil/) with the demo commune's registrar (`hotich`), who may use them. A fresh SQLite database in a
# temporary directory, migrated and loaded with the demo, served by gunicorn on a free loopback
# port. Prints the figures and exits non-zero on any server error, schema violation or
# undocumented status code.
#   scripts/fuzz-api.sh                 the CI run (seeded, bounded)
#   FUZZ_EXAMPLES=200 FUZZ_SEED=3 scripts/fuzz-api.sh   a longer, randomised local run
# Environment: FUZZ_EXAMPLES (default 40 per operation), FUZZ_CIVIL_EXAMPLES (the registrar's
# pass, default 20), FUZZ_SEED (random generation with this
# seed instead of the deterministic one), FUZZ_KEEP=1 keeps the temporary directory (database,
# server log, reports). One schemathesis worker: hypothesis's lambda descriptions are not
# thread-safe on Python 3.11 ("AST constructor recursion depth mismatch").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
export PATH="$HOME/.local/bin:$PATH"

EXAMPLES="${FUZZ_EXAMPLES:-40}"
# The registrar's pass covers the 7 civil operations again, as one who may use them: fewer
# examples each (the coverage phase adds its own boundary cases).
CIVIL_EXAMPLES="${FUZZ_CIVIL_EXAMPLES:-20}"
if [ -n "${FUZZ_SEED:-}" ]; then  # a seeded random exploration (local runs)
  GENERATION=(--seed "$FUZZ_SEED")
else  # CI: the same test cases on every run
  GENERATION=(--generation-deterministic)
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/egov-fuzz.XXXXXX")"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"

export EGOV_VAR_DIR="$WORK/var"
export EGOV_SECRET_KEY="fuzz-$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
export EGOV_DEBUG=0 EGOV_HTTPS=0 EGOV_SITE_URL="$BASE"
export EGOV_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
export EGOV_LOG_LEVEL="${EGOV_LOG_LEVEL:-WARNING}"
unset EGOV_DATABASE_URL EGOV_TESTING
mkdir -p "$EGOV_VAR_DIR"

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${FUZZ_KEEP:-0}" = "1" ]; then echo "Kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

started=$(date +%s)
echo "==> API fuzzing: fresh database in $WORK, demo data"
# (CI runs it beside a test suite from the same environment, already set up: UV_NO_SYNC=1.)
[ -n "${UV_NO_SYNC:-}" ] || uv sync --frozen --quiet
uv run egov migrate --noinput -v 0
uv run egov createcachetable
uv run egov collectstatic --noinput -v 0  # the HTML 404/500 pages need the static manifest
uv run egov demo --quiet-accounts >/dev/null
echo "    set up in $(( $(date +%s) - started )) s"

# The clerk's token, made directly (the fuzzed sign-in may lock the account later). A few other
# tokens first, so that "revoke token 1" hits one of those and not the token in use.
TOKEN="$(uv run egov shell -c '
from django.contrib.auth import get_user_model
from egov.core import tokens
clerk = get_user_model().objects.get(username="vanthu")
for n in range(3):
    tokens.token_create(actor=clerk, name=f"decoy {n}")
print(tokens.token_create(actor=clerk, name="fuzz")[1])
' | tail -n1)"
# The civil registrar's token: the civil operations answer the clerk 403, the registrar not.
REGISTRAR_TOKEN="$(uv run egov shell -c '
from django.contrib.auth import get_user_model
from egov.core import tokens
print(tokens.token_create(actor=get_user_model().objects.get(username="hotich"), name="fuzz")[1])
' | tail -n1)"

echo "==> gunicorn on $BASE"
uv run gunicorn egov.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --error-logfile "$WORK/server.log" --log-level warning >"$WORK/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "$BASE/api/v1/openapi.json" && break
  sleep 0.5
done
curl -fs -o "$WORK/openapi.json" "$BASE/api/v1/openapi.json"

# Path identifiers come half of the time from the demo's first rows, so that operations on one
# document, version, assignment, job or certificate reach their logic instead of a 404. The
# clerk's tokens are left out (revoking the token in use would end the run's authentication).
cat >"$WORK/schemathesis.toml" <<'TOML'
[dictionaries.demo-ids]
values = [1, 2, 3, 4, 5]

[parameters]
"path.id" = { dictionary = "demo-ids", probability = 0.5 }
"path.n" = { dictionary = "demo-ids", probability = 0.5 }
"path.aid" = { dictionary = "demo-ids", probability = 0.5 }
"path.job_id" = { dictionary = "demo-ids", probability = 0.5 }
"path.case_file_id" = { dictionary = "demo-ids", probability = 0.5 }
"path.cert_id" = { dictionary = "demo-ids", probability = 0.5 }
"path.unit_id" = { dictionary = "demo-ids", probability = 0.5 }
"path.register_id" = { dictionary = "demo-ids", probability = 0.5 }
"path.item_id" = { dictionary = "demo-ids", probability = 0.5 }
"path.saved_search_id" = { dictionary = "demo-ids", probability = 0.5 }
TOML

run_st() {  # $1 = label, rest = extra arguments
  local label="$1"; shift
  echo "==> schemathesis ($label): ${MAX_EXAMPLES:-$EXAMPLES} examples per operation, ${GENERATION[*]}"
  # Run from the temporary directory: schemathesis keeps its files in ./.schemathesis/. The schema
# is the file fetched above (its loading over HTTP timed out at 10 s on a busy machine).
  (cd "$WORK" && "$ROOT/.venv/bin/schemathesis" --config-file "$WORK/schemathesis.toml" \
    run "$WORK/openapi.json" --url "$BASE" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "${MAX_EXAMPLES:-$EXAMPLES}" "${GENERATION[@]}" --no-shrink \
    --workers 1 --request-timeout 30 --suppress-health-check all \
    --report junit --report-junit-path "$WORK/junit-$label.xml" \
    "$@") 2>&1 | tee "$WORK/st-$label.log"
  return "${PIPESTATUS[0]}"
}

status=0
run_st clerk -H "Authorization: Bearer $TOKEN" || status=1
run_st anonymous || status=1
civil_started=$(date +%s)
MAX_EXAMPLES="$CIVIL_EXAMPLES" run_st registrar -H "Authorization: Bearer $REGISTRAR_TOKEN" \
  --include-path-regex '^/api/v1/civil/' || status=1
civil_seconds=$(( $(date +%s) - civil_started ))

echo "==> Figures"
echo "  the registrar's pass (/api/v1/civil/) took $civil_seconds s"
for label in clerk anonymous registrar; do
  python3 - "$WORK/junit-$label.xml" "$label" <<'PY' || status=1
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except OSError:
    sys.exit(f"  {sys.argv[2]}: no report (schemathesis did not run)")
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
failures = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
print(f"  {sys.argv[2]}: {tests} operations, {failures} failing")
PY
  grep -E "test cases|requests|passed|failed" "$WORK/st-$label.log" | tail -n 4 | sed 's/^/  /'
done
if grep -q "Traceback" "$WORK/server.log" "$WORK/server.out" 2>/dev/null; then
  echo "The server logged tracebacks:"
  grep -h -B2 -A30 "Traceback" "$WORK/server.log" "$WORK/server.out" | sed -n 1,80p || true
  status=1
fi
echo "API fuzzing took $(( $(date +%s) - started )) s; status $status"
exit $status
