#!/usr/bin/env bash
# Fails when the committed policies/dist/bundle.tar.gz is not what the policy sources
# compile to now (policy.wasm bytes, parsed data.json, revision).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_opa

if [[ ! -f "${POLICY_BUNDLE}" ]]; then
  echo "error: ${POLICY_BUNDLE#"${OPA_REPO_ROOT}/"} is missing; run deploy/opa/build-policy.sh" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

build_bundle "${tmp}/fresh.tar.gz"
extract_bundle "${POLICY_BUNDLE}" "${tmp}/committed"
extract_bundle "${tmp}/fresh.tar.gz" "${tmp}/fresh"

stale=()
cmp -s "${tmp}/committed/policy.wasm" "${tmp}/fresh/policy.wasm" || stale+=("policy.wasm differs from the compiled Rego")
same_json "${tmp}/committed/data.json" "${tmp}/fresh/data.json" || stale+=("data.json differs from the policy data")
committed_rev="$(manifest_revision "${tmp}/committed/.manifest")"
fresh_rev="$(manifest_revision "${tmp}/fresh/.manifest")"
[[ "${committed_rev}" == "${fresh_rev}" ]] || stale+=("revision ${committed_rev} is not the source hash ${fresh_rev}")

if ((${#stale[@]} > 0)); then
  echo "error: the committed policy bundle is stale:" >&2
  printf '  - %s\n' "${stale[@]}" >&2
  echo "rebuild it with deploy/opa/build-policy.sh and commit policies/dist/bundle.tar.gz" >&2
  exit 1
fi
echo "policy bundle is up to date (revision ${fresh_rev})"
