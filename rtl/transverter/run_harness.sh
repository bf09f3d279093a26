#!/usr/bin/env bash
# Builds and runs the standalone Verilator harness of the transverter RTL.
#   rtl/transverter/run_harness.sh [harness args: --cases N --seed S --verbose]
# Lint only: rtl/transverter/run_harness.sh --lint
# Build directory: $TRV_BUILD (default /tmp/transverter_harness), so nothing
# is generated inside the source tree. The register map transverter_regs.svh
# is generated there from the C++ headers by rtl/gen_regs_pkg.cpp (as the
# configure step does); both it and transverter_defs.svh (here) are found
# through -I, as in the board build (Verilator 5.006 does not look next to
# the including file).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="${TRV_BUILD:-/tmp/transverter_harness}"
GEN="$BUILD/generated"
SV=(transverter_table_ram.sv transverter_factor.sv transverter_core.sv transverter.sv)

mkdir -p "$GEN/new"
g++ -std=c++17 -I"$ROOT" "$ROOT/rtl/gen_regs_pkg.cpp" -o "$GEN/gen_regs_pkg"
"$GEN/gen_regs_pkg" "$GEN/new"
for f in "$GEN"/new/*.svh; do   # replace only what changed: no needless Verilator rebuild
    cmp -s "$f" "$GEN/$(basename "$f")" || cp "$f" "$GEN/"
done

cd "$HERE"
if [[ "${1:-}" == "--lint" ]]; then
    exec verilator --lint-only -Wall -I"$GEN" -I"$HERE" --top-module transverter "${SV[@]}"
fi

LIB="$(find "$ROOT/build" -name 'libdynavp_models.a' -print -quit 2>/dev/null || true)"
if [[ -z "$LIB" ]]; then
    cmake --build "$ROOT/build" --target dynavp_models -j "$(nproc)"
    LIB="$(find "$ROOT/build" -name 'libdynavp_models.a' -print -quit)"
fi

verilator --cc --exe --build -Wall -O3 -I"$GEN" -I"$HERE" --top-module transverter "${SV[@]}" "$HERE/harness.cpp" \
    --Mdir "$BUILD" -o transverter_harness -j "$(nproc)" \
    -CFLAGS "-std=c++17 -O2 -I$ROOT" -LDFLAGS "$LIB"
exec "$BUILD/transverter_harness" "$@"
