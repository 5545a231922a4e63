#!/usr/bin/env bash
# Offline demo: the fake upstream (moving prices) on 127.0.0.1:$DEMO_UPSTREAM_PORT and the server
# pointed at it. Ctrl-C stops both. Usage: tools/demo.sh BIN_DIR [serve flags...]
set -euo pipefail
bin=${1:?usage: tools/demo.sh BIN_DIR [serve flags...]}
shift
port=${DEMO_UPSTREAM_PORT:-9100}
"$bin/fake-upstream" --port "$port" --simulate &
fake=$!
trap 'kill "$fake" 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
COINGECKO_BASE_URL="$base/coingecko" FNG_BASE_URL="$base/fear_greed" \
  TAAPI_BASE_URL="$base/taapi" TAAPI_SECRET="${TAAPI_SECRET:-demo-secret}" \
  BINANCE_BASE_URL="$base/binance" \
  "$bin/cryptodash" serve "$@"
