#!/usr/bin/env bash
# HTTP throughput of an L1 hit, /api/crypto/market/btc, against nginx answering `return 200`
# with the same body and headers, measured in the same run (issue: cryptodash >= 1.0x nginx's
# requests/s with wrk -t2 -c64 -d10s on loopback; p99 at half of nginx's maximum rate, sent
# at that fixed rate by http_rate). Starts the fake upstream, the server (2 I/O threads) and a throwaway nginx (2 workers) on free
# loopback ports, all in a temporary directory removed at exit. Builds nothing.
#   usage: bench/api_bench.sh [build/release/bin] [--rounds 3] [--duration 10] [--connections 64]
#                             [--wrk-threads 2] [--server-threads 2]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../build/release/bin
if [[ $# -gt 0 && $1 != -* ]]; then bin=$1; shift; fi
rounds=3 duration=10 connections=64 wrk_threads=2 server_threads=2
usage() { sed -n '2,8s/^# \{0,1\}//p' "$0"; }
die() { echo "api_bench: $*" >&2; exit 1; }  # until lib.sh is sourced
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=${2:?}; shift 2 ;;
    --duration) duration=${2:?}; shift 2 ;;
    --connections) connections=${2:?}; shift 2 ;;
    --wrk-threads) wrk_threads=${2:?}; shift 2 ;;
    --server-threads) server_threads=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for n in "$rounds" "$duration" "$connections" "$wrk_threads" "$server_threads"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "options take positive integers (got '$n')"
done

# --- tools: wrk and nginx from Debian, installed only when missing ---------------------------
find_nginx() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[[ -n $(find_nginx) ]] || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "api_bench: installing ${missing[*]}" >&2
  apt_install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  apt_install >/dev/null || { "${sudo[@]}" apt-get update -q >/dev/null && apt_install >/dev/null; } ||
    die "could not install ${missing[*]} (apt-get install -y --no-install-recommends ${missing[*]})"
fi
nginx=$(find_nginx)
[[ -n $nginx ]] || die "nginx not found after installing it"
command -v python3 >/dev/null || die "python3 is needed (free ports, nginx config)"

# --- binaries: built by someone else ---------------------------------------------------------
[[ -x $bin/cryptodash && -x $bin/fake-upstream && -x $bin/http_rate ]] ||
  die "$bin/cryptodash, $bin/fake-upstream or $bin/http_rate is missing;" \
    "run: cmake --preset release && cmake --build --preset release --target cryptodash fake_upstream http_rate"
bin=$(cd "$bin" && pwd)

# --- processes: the fake upstream and the server, stopped at exit ----------------------------
name=api_bench
source "$here/lib.sh"
start_fake_upstream
start_server --set "server.threads=$server_threads" --set cache.ttl.market_seconds=3600 \
  --set cache.l1.ttl_seconds=3600

path=/api/crypto/market/btc
server_url="http://127.0.0.1:$server_port$path"
# the first GET fills the cache (X-Cache: miss); the second is the L1 hit that wrk will measure
code=$(curl -s -o "$dir/first.json" -w '%{http_code}' --max-time 30 "$server_url")
[[ $code == 200 ]] || { cat "$dir/first.json" >&2; echo >&2; die "GET $path answered $code"; }
code=$(curl -s -D "$dir/headers.txt" -o "$dir/body.json" -w '%{http_code}' --max-time 10 "$server_url")
[[ $code == 200 ]] || die "second GET $path answered $code"
tr -d '\r' <"$dir/headers.txt" | grep -qi '^x-cache: hit$' ||
  echo "api_bench: WARNING: the second GET was not an L1 hit (X-Cache: $(tr -d '\r' <"$dir/headers.txt" |
    sed -n 's/^[Xx]-[Cc]ache: //p'))" >&2

# nginx: `return 200` with the captured body and headers (framing headers are nginx's own)
nginx_port=$(free_port)
mkdir -p "$dir/nginx"
python3 - "$dir" "$nginx_port" "$path" "$server_threads" "$(id -u)" >"$dir/nginx.conf" <<'PY'
import sys
d, port, path, workers, uid = sys.argv[1:]
body = open(f"{d}/body.json", "rb").read().decode("utf-8")
lines = open(f"{d}/headers.txt", "rb").read().decode("latin-1").replace("\r", "").split("\n")[1:]
skip = {"content-length", "connection", "keep-alive", "transfer-encoding", "date", "server"}
ctype, headers = "application/json", []
for line in lines:
    if ":" not in line:
        continue
    name, value = line.split(":", 1)
    name, value = name.strip(), value.strip()
    if name.lower() == "content-type":
        ctype = value
    elif name.lower() not in skip:
        headers.append((name, value))
def q(s):  # an nginx single-quoted string; `$` goes through a variable (return text is a script)
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("$", "${dollar}") + "'"
out = []
if uid == "0":
    out.append("user root;")
out += [
    f"worker_processes {workers};",
    "daemon off;",
    "master_process on;",
    f"pid {d}/nginx.pid;",
    f"error_log {d}/nginx-error.log warn;",
    "events { worker_connections 4096; }",
    "http {",
    "  access_log off;",
    "  server_tokens off;",
    "  keepalive_requests 1000000;",
    "  keepalive_timeout 120s;",
    f"  client_body_temp_path {d}/nginx/client_body;",
    f"  proxy_temp_path {d}/nginx/proxy;",
    f"  fastcgi_temp_path {d}/nginx/fastcgi;",
    f"  uwsgi_temp_path {d}/nginx/uwsgi;",
    f"  scgi_temp_path {d}/nginx/scgi;",
    '  geo $dollar { default "$"; }',
    "  server {",
    f"    listen 127.0.0.1:{port};",
    f"    location = {path} {{",
    f"      default_type {q(ctype)};",
]
out += [f"      add_header {q(n)} {q(v)};" for n, v in headers]
out += [f"      return 200 {q(body)};", "    }", "  }", "}"]
print("\n".join(out))
PY
"$nginx" -t -q -p "$dir/" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" 2>"$dir/nginx-t.log" ||
  { cat "$dir/nginx-t.log" >&2; die "nginx rejected $dir/nginx.conf"; }
"$nginx" -p "$dir/" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" >"$dir/nginx.out" 2>&1 &
pids+=($!)
nginx_url="http://127.0.0.1:$nginx_port$path"
wait_http "$nginx_url" 10 "${pids[-1]}" "$dir/nginx-error.log"
curl -s -D "$dir/nginx-headers.txt" -o "$dir/nginx-body.json" --max-time 5 "$nginx_url"
cmp -s "$dir/body.json" "$dir/nginx-body.json" || die "nginx's body differs from the server's"

# --- measurements ------------------------------------------------------------------------------
# run_wrk OUT THREADS CONNECTIONS SECONDS URL: prints "rps p99_ms"; refuses non-2xx answers.
run_wrk() {
  local out=$1 t=$2 c=$3 d=$4 url=$5
  wrk -t"$t" -c"$c" -d"${d}s" --latency "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  if grep -q 'Non-2xx or 3xx responses' "$out"; then
    cat "$out" >&2
    die "$url answered non-2xx responses under load"
  fi
  grep -q 'Socket errors' "$out" && echo "api_bench: WARNING: $(grep 'Socket errors' "$out" | xargs) ($url)" >&2
  awk '
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2; unit = v; sub(/^[0-9.]+/, "", unit); v += 0
      if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
      p99 = v
    }
    END { if (rps == "" || p99 == "") exit 1; printf "%.2f %.3f\n", rps, p99 }' "$out" ||
    { cat "$out" >&2; die "could not read wrk's output"; }
}
median() { sort -g | awk -v f="${1:-%.2f}\n" '{ v[NR] = $1 } END { printf f, NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "cryptodash $path (L1 hit, ${server_threads} I/O threads) vs nginx $("$nginx" -v 2>&1 | sed 's/.*\///')" \
  "(${server_threads} workers, return 200); $(nproc) CPUs; body $(wc -c <"$dir/body.json") bytes"
echo "headers copied to nginx: $(sed -n 's/^ *add_header \(.*\);$/\1/p' "$dir/nginx.conf" | tr -d "'" | paste -sd'|' | sed 's/|/; /g')"
echo "warm-up: wrk -t$wrk_threads -c$connections -d2s on each (not counted)"
run_wrk "$dir/warm.txt" "$wrk_threads" "$connections" 2 "$nginx_url" >/dev/null
run_wrk "$dir/warm.txt" "$wrk_threads" "$connections" 2 "$server_url" >/dev/null

echo "max rate: wrk -t$wrk_threads -c$connections -d${duration}s --latency, $rounds round(s) of nginx then cryptodash"
: >"$dir/nginx.rps"; : >"$dir/server.rps"; : >"$dir/nginx.p99"; : >"$dir/server.p99"
for ((r = 1; r <= rounds; r++)); do
  for target in nginx server; do
    if [[ $target == nginx ]]; then url=$nginx_url; label=nginx; else url=$server_url; label=cryptodash; fi
    res=$(run_wrk "$dir/wrk.txt" "$wrk_threads" "$connections" "$duration" "$url")
    read -r rps p99 <<<"$res"
    echo "$rps" >>"$dir/$target.rps"
    echo "$p99" >>"$dir/$target.p99"
    printf '  round %d  %-10s %12s req/s   p99 %8s ms\n' "$r" "$label" "$rps" "$p99"
  done
done
nginx_rps=$(median <"$dir/nginx.rps")
server_rps=$(median <"$dir/server.rps")
nginx_p99=$(median %.3f <"$dir/nginx.p99")
server_p99=$(median %.3f <"$dir/server.p99")
ratio=$(awk -v a="$server_rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }')
printf '  median     %-10s %12s req/s   p99 %8s ms\n' nginx "$nginx_rps" "$nginx_p99"
printf '  median     %-10s %12s req/s   p99 %8s ms\n' cryptodash "$server_rps" "$server_p99"

# p99 at half of nginx's maximum rate: http_rate sends at that fixed rate (open loop, latency
# from each request's due time) to each server in turn, over the same connections and threads.
half=$(awk -v m="$nginx_rps" 'BEGIN { printf "%.0f", m / 2 }')
echo "half rate: http_rate --rate $half --connections $connections --threads $wrk_threads" \
  "--seconds $duration (after 2 s at the rate, not counted)"
declare -A half_rps half_p99
for target in nginx server; do
  if [[ $target == nginx ]]; then port=$nginx_port; label=nginx; else port=$server_port; label=cryptodash; fi
  "$bin/http_rate" --port "$port" --path "$path" --rate "$half" --connections "$connections" \
    --threads "$wrk_threads" --seconds "$duration" --warmup 2 >"$dir/half.txt" 2>&1 ||
    { cat "$dir/half.txt" >&2; die "http_rate against $label failed"; }
  line=$(tail -1 "$dir/half.txt")
  rps=$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' <<<"$line")
  p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  printf '  half   %-10s %12s req/s   p99 %8s ms   (%s)\n' "$label" "$rps" "$p99" "$line"
  half_rps[$target]=$rps half_p99[$target]=$p99
  awk -v a="$rps" -v h="$half" 'BEGIN { exit !(a < 0.95 * h) }' &&
    echo "  note: $label answered only $rps req/s of the $half sent: it could not keep up"
done

verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 1.0) ? "meets" : "BELOW" }')
echo "cryptodash/nginx = $ratio ($verdict the >= 1.00 target)"
echo "nginx_rps=$nginx_rps cryptodash_rps=$server_rps ratio=$ratio"
echo "p99_at_half_nginx_ms: nginx=${half_p99[nginx]} cryptodash=${half_p99[server]} (rate nginx=${half_rps[nginx]} cryptodash=${half_rps[server]})"
