#!/usr/bin/env bash
# Quick start 2: set up, build, run every test (ctest).
# DYNAVP_SANITIZE=1 builds into build-asan/ with AddressSanitizer + UBSan.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
if [ "${DYNAVP_SANITIZE:-0}" = "1" ]; then
  export DYNAVP_BUILD_DIR="$root/build-asan"
  bash "$root/scripts/build.sh" -DDYNAVP_SANITIZE=ON
else
  bash "$root/scripts/build.sh"
fi
build="${DYNAVP_BUILD_DIR:-$root/build}"
echo "[test] ctest"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
