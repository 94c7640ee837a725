#!/usr/bin/env bash
# api-fuzz.sh — fuzz the firewall's HTTP API against its own OpenAPI document with schemathesis.
#
# Usage: bash scripts/api-fuzz.sh [--help] [extra schemathesis run options...]
#        npm run fuzz:api
#
# What it does:
#   1. makes a Python venv in .cache/api-fuzz/venv (git-ignored) and pip-installs a pinned schemathesis 4.x, PyJWT
#      and cryptography from PyPI (once; reused while the pins are unchanged);
#   2. starts the embedded firewall (`node services/cli/bin/firewall.js start`) on a free loopback port with a fresh
#      temporary FIREWALL_DATA_DIR and rate limits raised for the run, and waits for /readyz;
#   3. runs `schemathesis run <base>/openapi.json` with EVERY check, every phase (examples, coverage, fuzzing,
#      stateful), a bounded number of examples per operation, and the auth hook scripts/api-fuzz/hooks.py, which
#      mints a fresh single-use token per call from the dev key in the data folder (the attorney for /v1/reviews*
#      and /v1/audit/*, an operator for /metrics, city IT for /v1/decisions:evaluate, CITY_CLERK otherwise);
#   4. prints a summary and exits non-zero on any failure (a server error, an undocumented status, a response that
#      breaks its schema, a schema-violating request accepted, a valid one refused, ...). The firewall is stopped
#      and the data folder removed on exit.
#
# Settings (env): FUZZ_MAX_EXAMPLES (default 50 per operation), FUZZ_SEED (default random; printed for a rerun),
#   FUZZ_WORKERS (default 1), FUZZ_KEEP=1 keeps the data folder and the firewall log (printed at the end).
# Needs: node 20 with the workspace built (npm ci; npx tsc -b), python3.11+ with venv, access to PyPI on first run.
# Not part of `npm test`: it downloads Python packages and runs for a few minutes.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
PYJWT_VERSION=2.15.1
CRYPTOGRAPHY_VERSION=50.0.2

if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/api-fuzz"
VENV="$CACHE/venv"
PYTHON="${PYTHON:-python3}"
PINS="schemathesis==$SCHEMATHESIS_VERSION PyJWT==$PYJWT_VERSION cryptography==$CRYPTOGRAPHY_VERSION"

if [[ ! -x "$VENV/bin/schemathesis" || "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]]; then
  echo "api-fuzz: installing $PINS into $VENV"
  rm -rf "$VENV"
  mkdir -p "$CACHE"
  "$PYTHON" -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
  echo "$PINS" > "$VENV/.pins"
fi

if [[ ! -f "$ROOT/services/cli/dist/main.js" ]]; then
  echo "api-fuzz: the workspace is not built; run 'npx tsc -b' first" >&2
  exit 2
fi

DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/api-fuzz-data.XXXXXX")"
LOG="$DATA_DIR/firewall.log"
PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
FIREWALL_PID=""

cleanup() {
  local rc=$?
  if [[ -n "$FIREWALL_PID" ]] && kill -0 "$FIREWALL_PID" 2>/dev/null; then
    kill "$FIREWALL_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$FIREWALL_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$FIREWALL_PID" 2>/dev/null || true
  fi
  if [[ "${FUZZ_KEEP:-}" == "1" ]]; then echo "api-fuzz: kept $DATA_DIR (firewall log: $LOG)"; else rm -rf "$DATA_DIR"; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

echo "api-fuzz: starting the embedded firewall on $BASE (data: $DATA_DIR)"
(
  cd "$ROOT"
  # The fuzzer sends a few thousand calls in minutes from one address and a few agencies: the limits are raised
  # so that every answer is the endpoint's own, not a 429 (which the document lists all the same).
  exec env PORT="$PORT" HOST=127.0.0.1 FIREWALL_DATA_DIR="$DATA_DIR" LOG_LEVEL=warn \
    RATE_LIMIT_PER_AGENCY=100000/100000 RATE_LIMIT_PER_SOURCE=100000/100000 \
    node services/cli/bin/firewall.js start
) > "$LOG" 2>&1 &
FIREWALL_PID=$!

for _ in $(seq 1 150); do
  if curl -fsS "$BASE/readyz" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$FIREWALL_PID" 2>/dev/null; then echo "api-fuzz: the firewall exited; its log:" >&2; cat "$LOG" >&2; exit 2; fi
  sleep 0.2
done
curl -fsS "$BASE/readyz" > /dev/null || { echo "api-fuzz: the firewall did not become ready; its log:" >&2; cat "$LOG" >&2; exit 2; }

SEED="${FUZZ_SEED:-$RANDOM$RANDOM}"
RUN_LOG="$DATA_DIR/schemathesis.log"
echo "api-fuzz: schemathesis $SCHEMATHESIS_VERSION, all checks, ${FUZZ_MAX_EXAMPLES:-50} examples per operation, seed $SEED"
START=$(date +%s)
set +e
(
  # Run from the data folder: schemathesis keeps its cache (.schemathesis/) in the working directory.
  cd "$DATA_DIR"
  PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$ROOT/scripts/api-fuzz" FIREWALL_DATA_DIR="$DATA_DIR" FIREWALL_BASE_URL="$BASE" SCHEMATHESIS_HOOKS=hooks \
    "$VENV/bin/schemathesis" run "$BASE/openapi.json" \
    --checks all \
    --max-examples "${FUZZ_MAX_EXAMPLES:-50}" \
    --workers "${FUZZ_WORKERS:-1}" \
    --seed "$SEED" \
    --request-timeout 20 \
    --no-color \
    "$@"
) 2>&1 | tee "$RUN_LOG"
RC=${PIPESTATUS[0]}
set -e
ELAPSED=$(( $(date +%s) - START ))

# The run's own figures, from its summary: operations tested, test cases sent, failures.
OPERATIONS="$(grep -m1 -oE '[0-9]+ selected / [0-9]+ total' "$RUN_LOG" || echo '? operations')"
CASES="$(grep -m1 -oE '[0-9]+ generated, [^\n]*' "$RUN_LOG" || echo 'no test cases')"
SUMMARY="operations $OPERATIONS; test cases: $CASES"
SERVER_ERRORS="$(grep -c '"level":50' "$LOG" 2>/dev/null || true)"
echo "api-fuzz: $SUMMARY; $ELAPSED s; firewall logged ${SERVER_ERRORS:-0} errors; schemathesis exit $RC"
if [[ "$RC" -ne 0 ]]; then echo "api-fuzz: FAILED"; exit "$RC"; fi
echo "api-fuzz: OK — no failures"
