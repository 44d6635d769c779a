#!/usr/bin/env bash
# Installs the system packages SonoQC builds against, only when something is missing.
# CI and new machines start bare, so every make target that builds calls this first.
set -euo pipefail
packages=(libpng-dev libjpeg-dev zlib1g-dev libdeflate-dev libopenjp2-7-dev pkg-config libsqlite3-dev)
# Tools only some targets need are named by them, e.g. `install-deps.sh wrk nginx` (load-serve.sh).
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
