# Shared by the benchmark scripts (sourced, not run): processes started in a temporary
# directory and stopped at exit, free ports, and the fake upstream and the server started the
# way the tests start them. The caller sets `name` (for messages) and `bin` (built binaries).

dir=$(mktemp -d "${TMPDIR:-/tmp}/${name}.XXXXXX")
pids=()
die() { echo "$name: $*" >&2; exit 1; }
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
show_log() { echo "--- $1:" >&2; tail -n 20 "$1" >&2 || true; }
# wait_http URL SECONDS PID LOG: until URL answers 2xx, the process dies, or time runs out.
wait_http() {
  local url=$1 seconds=$2 pid=$3 log=$4
  for _ in $(seq $((seconds * 10))); do
    curl -sf -o /dev/null --max-time 1 "$url" && return 0
    kill -0 "$pid" 2>/dev/null || { show_log "$log"; die "process $pid exited before $url answered"; }
    sleep 0.1
  done
  show_log "$log"
  die "$url did not answer within ${seconds}s"
}

# start_fake_upstream: sets `upstream` to its base URL (its first stdout line is
# `listening on http://ADDR:PORT`).
start_fake_upstream() {
  "$bin/fake-upstream" --listen 127.0.0.1 --port 0 >"$dir/fake.out" 2>"$dir/fake.err" &
  pids+=($!)
  upstream=
  for _ in $(seq 100); do
    upstream=$(sed -n '1s/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$dir/fake.out")
    [[ -n $upstream ]] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { show_log "$dir/fake.err"; die "fake-upstream exited"; }
    sleep 0.1
  done
  die "fake-upstream did not print its address within 10 s"
}

# start_server ARGS…: `cryptodash serve` on a free port (sets `server_port` and `server_pid`)
# against the fake upstream, from the temporary directory so that no ./cryptodash.toml is
# picked up, no Redis; extra serve arguments pass through. Waits for /readyz.
start_server() {
  server_port=$(free_port)
  mkdir -p "$dir/cache"
  (
    cd "$dir"
    unset REDIS_URL
    export APP_ENV=development LOG_LEVEL=warn TAAPI_SECRET=bench-secret \
      COINGECKO_BASE_URL="$upstream/coingecko" FNG_BASE_URL="$upstream/fear_greed" \
      TAAPI_BASE_URL="$upstream/taapi" BINANCE_BASE_URL="$upstream/binance" \
      CACHE_DIR="$dir/cache" DATABASE_URL="sqlite://$dir/db.sqlite"
    exec "$bin/cryptodash" serve --port "$server_port" --listen-addr 127.0.0.1 "$@" >"$dir/server.log" 2>&1
  ) &
  server_pid=$!
  pids+=($server_pid)
  wait_http "http://127.0.0.1:$server_port/readyz" 30 "$server_pid" "$dir/server.log"
}
