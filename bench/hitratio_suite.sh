#!/usr/bin/env bash
# Replays every trace of ../shared/traces through l1_hitratio (W-TinyLFU and LRU) and compares
# with Caffeine 2.6.2's figures on the same traces and capacities (issue 3).
#   usage: bench/hitratio_suite.sh [build/release/bin]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/release/bin}
traces=$here/../../shared/traces

printf '%-22s %9s %9s %9s %9s  %s\n' trace capacity ours caffeine lru verdict
while read -r name format capacity caffeine; do
  file=$(ls "$traces/$name".trace.* | head -1)
  ours=$("$bin/l1_hitratio" --trace "$file" --format "$format" --capacity "$capacity" | tail -1 |
         sed 's/hit_ratio=\([0-9.]*\).*/\1/')
  lru=$("$bin/l1_hitratio" --trace "$file" --format "$format" --capacity "$capacity" --policy lru |
        tail -1 | sed 's/hit_ratio=\([0-9.]*\).*/\1/')
  verdict=$(awk -v o="$ours" -v c="$caffeine" -v l="$lru" 'BEGIN {
    s = (o >= c - 0.005) ? "within 0.5 pt of Caffeine" : "BELOW Caffeine by more than 0.5 pt";
    s = s ((o > l) ? ", above LRU" : ", NOT above LRU"); print s }')
  printf '%-22s %9s %9s %9s %9s  %s\n' "$name" "$capacity" "$ours" "$caffeine" "$lru" "$verdict"
done <<'LIST'
lirs_sprite lirs 1000 0.837
cache2k_web07 cache2k 2000 0.563
lirs_loop lirs 512 0.499
lirs_multi1 lirs 500 0.548
lirs_multi2 lirs 1000 0.576
lirs_gli lirs 500 0.270
lirs_ps lirs 500 0.563
cache2k_orm-busy cache2k 5000 0.831
scarab_scarab-recs scarab 10000 0.522
LIST
