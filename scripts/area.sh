#!/usr/bin/env bash
# Synthesises the RTL blocks (rtl/) with Yosys to generic cells and prints,
# per block: cells, flip-flops and Yosys' CMOS transistor estimate (`stat
# -tech cmos`), with NAND2 equivalents (4 transistors each). No technology
# library is involved: these are counts, not mm^2 (REFERENCE-DATA.md has no
# cell-area figure to convert them with). Tables are synthesised as flip-flops;
# a real chip would use SRAM macros for them.
#   bash scripts/area.sh [predictor|transverter ...]   (default: every block in rtl/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v yosys >/dev/null || { echo "area.sh: yosys is missing (bash scripts/setup.sh installs it)" >&2; exit 1; }
gen="$root/build/area/generated"
mkdir -p "$gen"
# The register maps the blocks include, from the C++ headers (as the build does).
g++ -std=c++17 -I"$root" "$root/rtl/gen_regs_pkg.cpp" -o "$gen/gen_regs_pkg"
"$gen/gen_regs_pkg" "$gen"
blocks=("$@")
if [ ${#blocks[@]} -eq 0 ]; then
  for b in predictor transverter; do [ -f "$root/rtl/$b/$b.sv" ] && blocks+=("$b"); done
fi
printf "%-12s %10s %10s %14s %14s\n" block cells flip-flops transistors NAND2-equiv
for b in "${blocks[@]}"; do
  files=$(ls "$root/rtl/$b"/*.sv | tr "\n" " ")
  log="$root/build/area/$b.log"
  echo "[area] yosys: $b (synth -flatten -top $b)" >&2
  yosys -q -l "$log" -p "read_verilog -sv -I$gen -I$root/rtl/$b $files; synth -flatten -top $b; tee -o $root/build/area/$b.stat stat -tech cmos" >/dev/null
  stat="$root/build/area/$b.stat"
  cells=$(awk '/Number of cells:/ {n=$4} END {print n}' "$stat")
  ffs=$(awk '/\$_(S?DFF|DFFE|SDFFE|SDFFCE|ALDFF|DLATCH)[A-Z_]*/ {s+=$2} END {print s+0}' "$stat")
  tr=$(awk '/Estimated number of transistors:/ {n=$5} END {print n}' "$stat")
  printf "%-12s %10s %10s %14s %14s\n" "$b" "$cells" "$ffs" "$tr" "$(( ${tr%%+*} / 4 ))"
done
echo "(per-cell breakdown in build/area/<block>.stat)"
