#!/usr/bin/env bash
# Runs the issue-3 throughput configurations of l1_throughput several times (this VM's timing
# varies by tens of percent from run to run) and prints median, min and max of ops/s.
#   usage: bench/l1_throughput_suite.sh [build/release/bin] [runs]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/release/bin}
runs=${2:-5}

measure() {
  local label=$1; shift
  local values=()
  for ((i = 0; i < runs; i++)); do
    values+=("$("$bin/l1_throughput" "$@" | tail -1 | cut -d= -f2)")
  done
  printf '%s\n' "${values[@]}" | sort -n | awk -v label="$label" -v args="$*" '
    { v[NR] = $1 }
    END { printf "%-28s median %6.1fM  min %6.1fM  max %6.1fM   (%s)\n", label,
          v[int((NR + 1) / 2)] / 1e6, v[1] / 1e6, v[NR] / 1e6, args }'
}

measure "read-only, get" --threads 2 --keys 32768 --zipf 0.99 --read-pct 100 --seconds 3
measure "read-only, visit" --threads 2 --keys 32768 --zipf 0.99 --read-pct 100 --seconds 3 --visit
measure "75% reads, get" --threads 2 --keys 1048576 --zipf 0.99 --read-pct 75 --seconds 3
measure "75% reads, visit" --threads 2 --keys 1048576 --zipf 0.99 --read-pct 75 --seconds 3 --visit
