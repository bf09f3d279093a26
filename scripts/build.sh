#!/usr/bin/env bash
# Configures and builds into build/ (or $DYNAVP_BUILD_DIR). Extra arguments go to cmake configure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${DYNAVP_BUILD_DIR:-$root/build}"
echo "[build] configure $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
echo "[build] compile ($(nproc) jobs)"
cmake --build "$build" -j "$(nproc)"
