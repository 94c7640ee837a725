#!/usr/bin/env bash
# THE test command (npm test, .ci/run, the README): installs, builds and runs every test against real
# infrastructure. Needs Node 20.19+, Java 17+, Maven and Go; no Docker.
#
#   1 install       npm ci (npm install without a lockfile). Outside CI, skipped when node_modules is newer
#                   than package-lock.json and package.json (npm ci would delete node_modules under anyone
#                   else working in this tree); TEST_ALL_NPM_CI=1 forces it.
#   2 tools         deploy/local/install-opa.sh (opa, regal into .tools/bin) and install-chromium.sh (Debian's
#                   chromium for the page tests); each a no-op when already installed
#   3 build         npm run typecheck (tsc -b, then the tests type-checked with tsconfig.test.json)
#   4 policy        deploy/opa/test-policy.sh (fmt, check --strict, regal, opa test --coverage) and
#                   deploy/opa/check-bundle.sh (the committed bundle is what the Rego compiles to)
#   5 unit          vitest --project unit
#   6 integration   vitest --project integration: a real Kafka broker from KAFKA_BROKERS, else started by the
#                   project's global setup (deploy/local/kafka.sh) and stopped again by it.
#
# On exit, also after a failure or an interrupt, a broker the harness started for this run is stopped
# (`kafka.sh release`: never a broker started by hand, nor one another run still uses).
#
# Runs from any folder: when the `postgres` user cannot traverse the checkout (a clone under a 0700
# `mktemp -d`), postgres.sh keeps the cluster in a private folder of this checkout under /var/tmp. Two
# checkouts side by side: KAFKA_LOCAL_PORT, KAFKA_LOCAL_CONTROLLER_PORT and PG_PORT give the second its own
# broker and server (e.g. 29092, 29093, 25432).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
export PATH="$ROOT/.tools/bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1

RUN_START=$SECONDS
CURRENT_STEP=""
BROKER_WAS_RUNNING=unknown

banner() {
  printf '\n==== %s ====\n' "$*"
}

step() { # <name> <command...>
  local name=$1 started=$SECONDS
  shift
  CURRENT_STEP=$name
  banner "$name"
  "$@"
  printf -- '---- %s: ok in %d s (total %d s)\n' "$name" $((SECONDS - started)) $((SECONDS - RUN_START))
  CURRENT_STEP=""
}

on_exit() {
  local code=$?
  if [[ -z "${KAFKA_BROKERS:-}" && "$BROKER_WAS_RUNNING" == no ]]; then
    bash deploy/local/kafka.sh release || true
  fi
  if ((code != 0)); then
    banner "FAILED${CURRENT_STEP:+ in step: $CURRENT_STEP} (exit $code) after $((SECONDS - RUN_START)) s"
  else
    banner "ALL TESTS PASSED in $((SECONDS - RUN_START)) s"
  fi
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_dependencies() {
  if [[ ! -f package-lock.json ]]; then
    npm install --no-audit --no-fund
  elif [[ "${CI:-}" == true || "${TEST_ALL_NPM_CI:-}" == 1 || ! -f node_modules/.package-lock.json ||
    package-lock.json -nt node_modules/.package-lock.json || package.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
  else
    echo "node_modules is up to date with package-lock.json: npm ci skipped (TEST_ALL_NPM_CI=1 forces it)"
  fi
}

policy_checks() {
  local script
  for script in deploy/opa/test-policy.sh deploy/opa/check-bundle.sh; do
    echo "> bash $script"
    bash "$script"
  done
}

integration_tests() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    echo "Kafka: KAFKA_BROKERS=$KAFKA_BROKERS"
  else
    local status=0
    bash deploy/local/kafka.sh status >/dev/null 2>&1 || status=$?
    if ((status == 3)); then
      BROKER_WAS_RUNNING=no
      echo "Kafka: the global setup starts a broker (testcontainers when Docker answers, else deploy/local/kafka.sh)"
    else
      BROKER_WAS_RUNNING=yes
      echo "Kafka: the local broker is already running; it is used and left running"
    fi
  fi
  npx vitest run --project integration
}

banner "test-all: node $(node --version), npm $(npm --version), $(java -version 2>&1 | head -n 1), $(go version 2>/dev/null | cut -d' ' -f3)${CI:+, CI=$CI}"

step "1/6 install dependencies" install_dependencies
step "2/6 tools (opa, regal, chromium)" bash -c 'bash deploy/local/install-opa.sh && bash deploy/local/install-chromium.sh'
step "3/6 build and type-check (tsc -b, tests too)" npm run typecheck
step "4/6 policy tests" policy_checks
step "5/6 unit tests" npx vitest run --project unit
step "6/6 integration tests (real Kafka)" integration_tests
