#!/usr/bin/env bash
# Quick start 1: set up, build, boot the default board (dna-16c) and run the
# main job: a dynamic NN (FBS channel gating on VGG16, DNA Table III) through
# the firmware runtime with DNA's transverter and predictor in the loop, then
# the same model and decisions on the baseline design, and the speedup.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
out="$root/build/out"
mkdir -p "$out"
run=(--platform dna-16c --workload fbs-vgg16 --samples 2 --timing-only)
echo "[demo] build/bin/dynavp run ${run[*]} --design dna --json build/out/fbs-dna.json"
"$root/build/bin/dynavp" run "${run[@]}" --design dna --json "$out/fbs-dna.json"
echo "[demo] the same model, samples and agent decisions on the baseline design (library schedules, no prefetching):"
"$root/build/bin/dynavp" run "${run[@]}" --design baseline --json "$out/fbs-baseline.json" --quiet
python3 - "$out/fbs-dna.json" "$out/fbs-baseline.json" <<'PY'
import json, sys
d, b = (json.load(open(p)) for p in sys.argv[1:3])
cd, cb = d["firmware"]["metrics"]["cycles"], b["firmware"]["metrics"]["cycles"]
ed, eb = d["energy_pj"]["total"], b["energy_pj"]["total"]
print(f"[demo] fbs-vgg16, 2 samples: baseline {cb:.0f} cycles, dna {cd:.0f} cycles: speedup {cb / cd:.2f}x; "
      f"energy (NPU, predictor, DRAM) {eb / 1e6:.0f} uJ -> {ed / 1e6:.0f} uJ ({eb / ed:.2f}x)")
PY
echo "[demo] stats JSON in build/out/. Every model: build/bin/dynavp list; all of DNA's evaluation: build/bin/dynavp reproduce dna-fig12"
