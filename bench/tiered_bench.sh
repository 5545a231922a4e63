#!/usr/bin/env bash
# Starts a throwaway redis-server on a free loopback port and runs tiered_bench against it.
#   usage: bench/tiered_bench.sh [build/release/bin] [extra tiered_bench flags]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/release/bin}
shift || true
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" \
  --logfile "$dir/redis.log" --daemonize yes --pidfile "$dir/redis.pid"
trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 50); do grep -q "Ready to accept" "$dir/redis.log" 2>/dev/null && break; sleep 0.1; done
"$bin/tiered_bench" --redis "redis://127.0.0.1:$port" "$@"
