#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test (driven by playwright-core; INFRA-NOTES.md), only
# when /usr/bin/chromium is missing. Needs root (as on CI and the development machines) and Debian's packages.
# CHROMIUM_PATH points the tests at another binary.
set -euo pipefail

if [[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  echo "chromium: $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo present) (already installed)"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "chromium is missing and installing it needs root: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "chromium: $(/usr/bin/chromium --version)"
