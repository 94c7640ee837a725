#!/usr/bin/env bash
# Checks the policy: opa fmt, opa check --strict, regal lint (when installed), and opa test
# with coverage (fails under 95%). Ends with the line "N passed, N failed".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_opa

MIN_COVERAGE="${MIN_COVERAGE:-95}"
REGAL_BIN="${REGAL_BIN:-${OPA_REPO_ROOT}/.tools/bin/regal}"
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
cd "${OPA_REPO_ROOT}"

echo "== opa fmt --list"
unformatted="$("${OPA_BIN}" fmt --list policies)"
if [[ -n "${unformatted}" ]]; then
  echo "error: not formatted with opa fmt (run: opa fmt -w policies):" >&2
  echo "${unformatted}" >&2
  exit 1
fi

echo "== opa check --strict"
"${OPA_BIN}" check --strict --ignore dist policies

echo "== regal lint"
if [[ -x "${REGAL_BIN}" ]]; then
  "${REGAL_BIN}" lint policies
else
  echo "skipped: regal is not installed at ${REGAL_BIN#"${OPA_REPO_ROOT}/"} (deploy/local/install-opa.sh installs it when the Go module proxy serves it)"
fi

echo "== opa test"
set +e
"${OPA_BIN}" test --ignore dist --timeout 60s policies -v --fail-on-empty >"${tmp}/test.txt" 2>&1
test_status=$?
set -e
grep -vE '^(firewall/|policies/).*\.rego:[0-9]+:$' "${tmp}/test.txt" | grep -E 'FAIL|ERROR|^PASS:|^FAIL:|^ERROR:|error' || true
passed="$(grep -oE '^PASS: [0-9]+' "${tmp}/test.txt" | grep -oE '[0-9]+' || echo 0)"
total="$(grep -oE '^(PASS|FAIL|ERROR): [0-9]+/[0-9]+' "${tmp}/test.txt" | head -1 | grep -oE '[0-9]+$' || echo 0)"
if ((test_status != 0)); then
  cat "${tmp}/test.txt" >&2
  echo "${passed} passed, $((total - passed)) failed"
  exit "${test_status}"
fi

echo "== coverage (minimum ${MIN_COVERAGE}%)"
"${OPA_BIN}" test --ignore dist --timeout 60s policies --coverage --format json >"${tmp}/coverage.json"
coverage="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).coverage.toFixed(2))' "${tmp}/coverage.json")"
echo "coverage ${coverage}%"
if ! node -e 'process.exit(Number(process.argv[1]) >= Number(process.argv[2]) ? 0 : 1)' "${coverage}" "${MIN_COVERAGE}"; then
  echo "error: coverage ${coverage}% is under ${MIN_COVERAGE}%" >&2
  node -e '
    const files = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).files;
    for (const [name, f] of Object.entries(files)) {
      const rows = (f.not_covered ?? []).map((r) => r.start.row === r.end.row ? r.start.row : `${r.start.row}-${r.end.row}`);
      if (rows.length) console.error(`  ${name}: not covered ${rows.join(", ")}`);
    }' "${tmp}/coverage.json"
  echo "${passed} passed, 1 failed"
  exit 1
fi
echo "${passed} passed, 0 failed"
