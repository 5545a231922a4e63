#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing cryptodash need (cairo and
# pango for report PDFs with DejaVu fonts; PostgreSQL, Chromium and poppler-utils for the
# tests) — only those that are missing, so a second run costs one dpkg-query. Boost comes as the versioned 1.81 packages: the unversioned libboost-dev (1.74)
# conflicts with them and must never be installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build make pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libhiredis-dev libtomlplusplus-dev libspdlog-dev libcli11-dev
  libsqlite3-dev libpqxx-dev zlib1g-dev liblzma-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server openssl postgresql
  chromium
  libcairo2-dev libpango1.0-dev fonts-dejavu-core poppler-utils
)
# The web dashboard is built with Node.js and npm; any install of them will do (a machine may
# carry NodeSource's nodejs, which bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null \
  | awk '$NF == "installed" { print $1 }' || true)
missing=()
for p in "${packages[@]}"; do
  grep -qx -- "$p" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
