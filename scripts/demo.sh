#!/usr/bin/env bash
# Quick start 1: set up, build, boot the default board and run the main job
# (a dynamic NN, DNA's online scheduler in the loop) with its report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
out="$root/build/out"
mkdir -p "$out"
echo "[demo] build/bin/dynavp run --platform dna-16c --firmware moe-layer --design dna --json build/out/moe-dna.json"
"$root/build/bin/dynavp" run --platform dna-16c --firmware moe-layer --design dna --json "$out/moe-dna.json"
echo "[demo] the same layer and samples on the baseline design (library schedules, no prefetching):"
"$root/build/bin/dynavp" run --platform dna-16c --firmware moe-layer --design baseline --json "$out/moe-baseline.json" --quiet
python3 - "$out/moe-dna.json" "$out/moe-baseline.json" <<'PY'
import json, sys
d, b = (json.load(open(p)) for p in sys.argv[1:3])
cd, cb = d["firmware"]["metrics"]["cycles"], b["firmware"]["metrics"]["cycles"]
ed, eb = d["energy_pj"]["total"], b["energy_pj"]["total"]
print(f"[demo] baseline {cb:.0f} cycles, dna {cd:.0f} cycles: speedup {cb / cd:.3f}x; energy (NPU + predictor) {eb / 1e6:.1f} uJ -> {ed / 1e6:.1f} uJ ({eb / ed:.2f}x)")
PY
echo "[demo] stats JSON in build/out/ (other designs: --design online|prefetch|oracle; board bring-up: --firmware selftest, conv-check)"
