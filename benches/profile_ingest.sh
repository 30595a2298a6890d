#!/usr/bin/env bash
# Where `filterwatch ingest`'s CPU time goes, by stage: samples the whole process with
# `perf record -e cpu-clock` (a software clock: it works where hardware counters are not offered,
# as on this project's VMs) and sorts each sample's own function into a stage by its name.
#
#   benches/profile_ingest.sh [LINES]     (default 2000000; the same generated log as compare.sh)
#
# Needs perf (Debian: linux-perf). Profiles the `profiling` build (benches/fw.sh), which keeps
# line tables, so symbols resolve. FW=path profiles another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-2000000}
DIR=${BENCH_DIR:-/tmp/filterwatch-bench}
mkdir -p "$DIR"
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }

. benches/fw.sh

. benches/squid_log.sh
echo "input: $(wc -l < "$log") lines, $(( $(stat -c %s "$log") / 1000000 )) MB, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

rm -rf "$DIR/profile-data"
perf record -q -e cpu-clock -F 999 -o "$DIR/ingest.perf" -- \
  $FW ingest --quiet --config "$school/school.toml" --data "$DIR/profile-data" "$log" 2>/dev/null
perf report -i "$DIR/ingest.perf" --no-children --sort symbol --stdio -q 2>/dev/null |
  awk '
    $1 ~ /%$/ {
      pct = $1; sub(/%/, "", pct); $1 = ""; $2 = ""; name = $0
      stage = "other"
      if (name ~ /sha2|Sha256|sha256/) stage = "hashing (SHA-256)"
      else if (name ~ /zstd|ZSTD/) stage = "zstd compression"
      else if (name ~ /flate2|miniz|inflate/) stage = "gzip"
      else if (name ~ /parquet/) stage = "Parquet encoding"
      else if (name ~ /formats::/) stage = "parse"
      else if (name ~ /enrich::|publicsuffix|psl|idna|url::/) stage = "enrich"
      else if (name ~ /arrow|Builder|event::/) stage = "Arrow columns"
      else if (name ~ /memchr|take_chunk|next_chunk|fill_to|source::/) stage = "reading and chunking"
      else if (name ~ /malloc|free|realloc|memcpy|memmove|memset|alloc::|drop_in_place|_int_/) stage = "memory (alloc, copy, free)"
      else if (name ~ /\[k\]/) stage = "kernel (read, write, page faults)"
      else if (name ~ /rayon|crossbeam|futex|sched/) stage = "threads (rayon, waiting)"
      else if (name ~ /from_utf8|utf8|core::str/) stage = "UTF-8 checks"
      else if (name ~ /hash|Hash|hashbrown|SipHash|ahash|foldhash/) stage = "hash maps"
      sum[stage] += pct
    }
    END { for (s in sum) printf "%6.1f%%  %s\n", sum[s], s }' | sort -rn
echo "top functions (own time):"
perf report -i "$DIR/ingest.perf" --no-children --sort symbol --stdio -q 2>/dev/null | head -25
