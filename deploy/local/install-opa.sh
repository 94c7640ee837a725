#!/usr/bin/env bash
# Installs the pinned policy tools into <repo>/.tools/bin (git-ignored), built from source with the Go
# toolchain through the Go module proxy:
#   opa    v1.22.2   required: fails when it cannot be installed
#   regal  v0.38.1   optional linter: when it cannot be installed the script says so and continues
# Each is installed only when .tools/bin/<tool> does not already report the pinned version, so a second run
# is a no-op. Go's module and build caches stay in the default GOPATH/GOCACHE (outside the repo).
# Add the tools to PATH with:  export PATH="$PWD/.tools/bin:$PATH"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/.tools/bin"
OPA_VERSION=v1.22.2
# Newest regal the module proxy serves that builds with go1.26 (it embeds its own OPA, 1.12.2).
REGAL_VERSION=v0.38.1

say() { echo "[install-opa] $*" >&2; }

command -v go >/dev/null || {
  say "ERROR: the Go toolchain is not installed; it builds opa (go install github.com/open-policy-agent/opa@$OPA_VERSION)"
  exit 1
}

# Refuse Go caches inside the repo (GOPATH/GOMODCACHE/GOCACHE set to a folder under it).
for var in GOPATH GOMODCACHE GOCACHE; do
  dir="$(go env "$var")"
  case "$dir/" in
    "$ROOT"/*) say "ERROR: $var=$dir is inside the repo; unset it so Go uses its default"; exit 1 ;;
  esac
done

mkdir -p "$BIN"

installed_version() { # <binary> -> the "Version:" line of `<binary> version`, or nothing
  [[ -x "$1" ]] || return 0
  "$1" version 2>/dev/null | sed -n 's/^Version: *//p' | head -n 1
}

install_opa() {
  local have
  have="$(installed_version "$BIN/opa")"
  if [[ "$have" == "${OPA_VERSION#v}" ]]; then
    say "opa $have already installed"
    return 0
  fi
  say "installing opa $OPA_VERSION (was: ${have:-none}); ~80 s on a cold Go cache ..."
  local started=$SECONDS
  CGO_ENABLED=0 GOBIN="$BIN" GOFLAGS=-buildvcs=false go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  have="$(installed_version "$BIN/opa")"
  if [[ "$have" != "${OPA_VERSION#v}" ]]; then
    say "ERROR: installed opa reports version '${have}', expected ${OPA_VERSION#v}"
    exit 1
  fi
  say "opa $have installed in $((SECONDS - started)) s"
}

# `go install github.com/open-policy-agent/regal@vX` does not work through this proxy: go install asks for the
# module's version list (to report deprecation), and the proxy answers 403 for that list. So regal is built
# inside a throwaway module that requires exactly regal@$REGAL_VERSION: minimal version selection then picks
# regal's own go.mod versions, the same build as `go install ...@$REGAL_VERSION`, and go.sum is checked
# against sum.golang.org as usual. The version is stamped in with -ldflags, as regal's release build does.
install_regal() {
  local have
  have="$(installed_version "$BIN/regal")"
  if [[ "$have" == "$REGAL_VERSION" ]]; then
    say "regal $have already installed"
    return 0
  fi
  say "installing regal $REGAL_VERSION (was: ${have:-none}); ~60-90 s on a cold Go cache ..."
  local started=$SECONDS work
  work="$(mktemp -d)"
  local pkg=github.com/open-policy-agent/regal
  local ldflags="-X $pkg/pkg/version.Version=$REGAL_VERSION -X $pkg/pkg/version.Hostname=install-opa.sh"
  if (
    cd "$work" &&
      go mod init regal-pin >/dev/null 2>&1 &&
      go get "$pkg@$REGAL_VERSION" >"$work/go.log" 2>&1 &&
      CGO_ENABLED=0 GOBIN="$BIN" GOFLAGS=-buildvcs=false go install -ldflags "$ldflags" "$pkg" >>"$work/go.log" 2>&1
  ); then
    say "regal $(installed_version "$BIN/regal") installed in $((SECONDS - started)) s"
  else
    tail -n 20 "$work/go.log" >&2 || true
    say "WARNING: regal $REGAL_VERSION could not be installed; continuing without it (regal lint will not run)"
  fi
  rm -rf "$work"
}

install_opa
install_regal
