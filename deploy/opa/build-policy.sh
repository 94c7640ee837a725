#!/usr/bin/env bash
# Builds policies/dist/bundle.tar.gz (wasm, entrypoint firewall/decision/result) with a
# content-hash revision, then builds again and checks that policy.wasm and data.json are
# reproducible.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_opa

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

mkdir -p "$(dirname "${POLICY_BUNDLE}")"
build_bundle "${POLICY_BUNDLE}"
revision="$(policy_revision)"
echo "built ${POLICY_BUNDLE#"${OPA_REPO_ROOT}/"} (revision ${revision})"

build_bundle "${tmp}/again.tar.gz"
extract_bundle "${POLICY_BUNDLE}" "${tmp}/first"
extract_bundle "${tmp}/again.tar.gz" "${tmp}/second"

status=0
if cmp -s "${tmp}/first/policy.wasm" "${tmp}/second/policy.wasm"; then
  echo "reproducible: policy.wasm is byte-identical across two builds"
else
  echo "error: policy.wasm differs between two builds of the same sources" >&2
  status=1
fi
if same_json "${tmp}/first/data.json" "${tmp}/second/data.json"; then
  echo "reproducible: data.json has the same content across two builds"
else
  echo "error: data.json differs between two builds of the same sources" >&2
  status=1
fi
if cmp -s "${POLICY_BUNDLE}" "${tmp}/again.tar.gz"; then
  echo "reproducible: bundle.tar.gz is byte-identical across two builds"
else
  echo "note: bundle.tar.gz bytes differ between builds (archive metadata); policy.wasm and data.json are what is compared"
fi
exit "${status}"
