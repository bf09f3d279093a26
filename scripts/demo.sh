#!/usr/bin/env bash
# Quick start 1: set up, build, boot the default board and run the main job with its report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
mkdir -p "$root/build/out"
echo "[demo] build/bin/dynavp run --platform dna-16c --firmware conv-check --json build/out/conv-check.json"
"$root/build/bin/dynavp" run --platform dna-16c --firmware conv-check --json "$root/build/out/conv-check.json"
echo "[demo] stats JSON: build/out/conv-check.json (board bring-up: --firmware selftest)"
