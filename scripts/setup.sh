#!/usr/bin/env bash
# Installs every Debian package dynavp's build and tests need. Idempotent:
# packages already present are skipped; `apt-get update` runs at most once.
set -euo pipefail

PACKAGES=(
  g++ cmake make pkg-config          # toolchain
  libsystemc-dev                     # SystemC 2.3.4 + TLM-2.0 (C++17 build)
  verilator                          # RTL blocks (rtl/): verilate, lint, dynavp cosim
  yosys                              # scripts/area.sh: synthesis of the RTL blocks to generic cells
  nlohmann-json3-dev                 # JSON configs and stats
  catch2                             # unit/platform tests (v2.13)
  libboost-dev libboost-program-options-dev  # CLI
  python3                            # scripts
  python3-matplotlib                 # scripts/plot.py: PNG charts of the reproduce CSVs
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "[setup] all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "[setup] error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "[setup] installing: ${missing[*]}"
echo "[setup] apt-get update"
$SUDO apt-get update -q
echo "[setup] apt-get install"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "[setup] done"
