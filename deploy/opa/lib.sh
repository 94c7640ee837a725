# Shared helpers for the OPA policy scripts (sourced, not run).
# shellcheck shell=bash

OPA_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OPA_BIN="${OPA_BIN:-${OPA_REPO_ROOT}/.tools/bin/opa}"
POLICY_DIR="${OPA_REPO_ROOT}/policies"
POLICY_ENTRYPOINT="firewall/decision/result"
POLICY_BUNDLE="${POLICY_DIR}/dist/bundle.tar.gz"

require_opa() {
  if [[ ! -x "${OPA_BIN}" ]]; then
    echo "error: opa not found at ${OPA_BIN} (set OPA_BIN)" >&2
    exit 1
  fi
}

# The files that go into the bundle: policy Rego (no tests) and policy data, with paths
# relative to policies/, sorted bytewise.
bundle_sources() {
  (
    cd "${POLICY_DIR}" &&
      find . -path ./dist -prune -o -path '*/testdata' -prune -o -type f \
        \( -name '*.rego' ! -name '*_test.rego' -o -name 'data.json' -o -name 'data.yaml' \) -print |
      sed 's|^\./||' | LC_ALL=C sort
  )
}

# A content hash of the bundle sources: the same sources always give the same revision.
policy_revision() {
  local f
  (
    cd "${POLICY_DIR}" &&
      bundle_sources | while IFS= read -r f; do
        printf '%s %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"
      done
  ) | sha256sum | cut -c1-16
}

# build_bundle OUT_FILE: compile the policy to a wasm bundle.
# The build runs inside policies/ so that no absolute path of this checkout reaches the bundle.
build_bundle() {
  local out revision
  out="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  revision="$(policy_revision)"
  (cd "${POLICY_DIR}" && "${OPA_BIN}" build \
    --bundle . \
    --target wasm \
    --entrypoint "${POLICY_ENTRYPOINT}" \
    --ignore '*_test.rego' \
    --ignore testdata \
    --ignore dist \
    --revision "${revision}" \
    --output "${out}")
}

# extract_bundle BUNDLE DIR: unpack policy.wasm, data.json and .manifest.
extract_bundle() {
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" /policy.wasm /data.json /.manifest 2>/dev/null ||
    tar -xzf "$1" -C "$2" policy.wasm data.json .manifest
}

# same_json A B: the two JSON files have the same parsed content.
same_json() {
  node -e '
    const fs = require("fs");
    const canon = (v) => Array.isArray(v) ? v.map(canon)
      : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
      : v;
    const [a, b] = process.argv.slice(1).map((p) => JSON.stringify(canon(JSON.parse(fs.readFileSync(p, "utf8")))));
    process.exit(a === b ? 0 : 1);
  ' "$1" "$2"
}

# manifest_revision MANIFEST: the revision recorded in a bundle manifest.
manifest_revision() {
  node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).revision ?? "")' "$1"
}
