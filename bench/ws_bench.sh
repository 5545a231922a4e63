#!/usr/bin/env bash
# WebSocket broadcast latency and server memory per connection (issue: 10,000 clients on
# loopback from several 127.0.0.x source addresses; goal p99 <= 50 ms from publish to receipt
# and <= 10 KB per connection on 2 cores). First runs ws_floor, the same broadcasts as bare
# send() calls with no server (the floor of the figures on this machine); then starts the fake
# upstream and the server in a temporary directory and runs ws_bench against it. Builds nothing.
#   usage: bench/ws_bench.sh [build/release/bin] [--clients 10000] [--sources 100]
#                            [--broadcasts 20] [--server-threads 2]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../build/release/bin
if [[ $# -gt 0 && $1 != -* ]]; then bin=$1; shift; fi
clients=10000 sources=100 broadcasts=20 server_threads=2
usage() { sed -n '2,8s/^# \{0,1\}//p' "$0"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --clients) clients=${2:?}; shift 2 ;;
    --sources) sources=${2:?}; shift 2 ;;
    --broadcasts) broadcasts=${2:?}; shift 2 ;;
    --server-threads) server_threads=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for n in "$clients" "$sources" "$broadcasts" "$server_threads"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "ws_bench: options take positive integers (got '$n')" >&2; exit 2; }
done
[[ -x $bin/cryptodash && -x $bin/fake-upstream && -x $bin/ws_bench && -x $bin/ws_floor ]] || {
  echo "ws_bench: $bin lacks cryptodash, fake-upstream, ws_bench or ws_floor; run:" \
    "cmake --preset release && cmake --build --preset release --target cryptodash fake_upstream ws_bench ws_floor" >&2
  exit 1
}
bin=$(cd "$bin" && pwd)
command -v curl >/dev/null && command -v python3 >/dev/null || { echo "ws_bench: needs curl and python3" >&2; exit 1; }

# 10,000 sockets on each side, plus the server's own files
ulimit -n $((clients * 2 + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[[ $(ulimit -n) -gt $((clients + 256)) ]] || { echo "ws_bench: open-file limit $(ulimit -n) is too low" >&2; exit 1; }

echo "floor (ws_floor: plain send() from $server_threads threads, no server, same readers):"
"$bin/ws_floor" --clients "$clients" --sources "$sources" --broadcasts "$broadcasts" \
  --threads "$server_threads" | sed 's/^/  /'

name=ws_bench
source "$here/lib.sh"
per_ip=$(((clients + sources - 1) / sources))
token=ws-bench-token
start_fake_upstream
export ADMIN_TOKEN=$token
start_server --set "server.threads=$server_threads" \
  --set "server.max_connections=$((clients + 100))" \
  --set "server.max_connections_per_ip=$((per_ip + 10))" \
  --set "websocket.max_connections_per_ip=$per_ip" \
  --set server.refresh_rate_limit_per_minute=100000 \
  --set upstreams.coingecko.rate_per_minute=1000000 --set upstreams.coingecko.burst=100000 \
  --set upstreams.fear_greed.rate_per_minute=1000000 --set upstreams.fear_greed.burst=100000 \
  --set upstreams.taapi.rate_per_minute=1000000 --set upstreams.taapi.burst=100000 \
  --set upstreams.binance.rate_per_minute=1000000 --set upstreams.binance.burst=100000
curl -sf -o /dev/null "http://127.0.0.1:$server_port/api/crypto/dashboard-summary" ||
  die "the dashboard summary did not answer"

echo "cryptodash /ws: $clients clients, $sources source addresses, $broadcasts broadcasts," \
  "${server_threads} I/O threads, $(nproc) CPUs (the load generator shares them)"
"$bin/ws_bench" --port "$server_port" --server-pid "$server_pid" --admin-token "$token" \
  --clients "$clients" --sources "$sources" --broadcasts "$broadcasts"
