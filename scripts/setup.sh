#!/usr/bin/env bash
# Installs what convkit needs on a Debian/Ubuntu machine, then builds it. Safe to run again: it only does what is missing.
#   system: oneDNN (native backend), Fashion-MNIST, zip, and the tools the test suite checks against, listed once in
#   scripts/required-tools.mjs (h5py, crcmod, scipy, python3-onnx, Chromium, slurm-wlm + munge, g++'s ASan runtime, oneDNN)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(g++ make python3 libdnnl-dev dataset-fashion-mnist zip unzip)
read -r -a TOOL_PACKAGES <<<"$(node scripts/required-tools.mjs debian)"
APT_PACKAGES+=("${TOOL_PACKAGES[@]}")
APT_PACKAGES+=(${CONVKIT_EXTRA_APT:-})

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: warning: missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
  fi
fi

# npm ci only when the lock file changed since the last install
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  # onnxruntime-node's install script (npm runs it unless it is told not to) would fetch CUDA libraries from outside
  # the registry on linux/x64; ONNXRUNTIME_NODE_INSTALL=skip is its documented switch. Its CPU binary is in the package.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building (native addon + TypeScript)"
npm run build --silent
