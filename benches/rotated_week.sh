#!/usr/bin/env bash
# A nightly's real input against one plain file: ingests a generated school week as logrotate
# leaves it (access.log, access.log.1, access.log.2.gz … access.log.6.gz) and the same lines as one
# plain file, in alternating rounds, and prints the median seconds and lines/s of each and the
# week's share of the plain file's lines/s (the goal is at least 80%).
#
#   benches/rotated_week.sh [PUPILS]      (default 4000: ~2.2M lines, ~280 MB unpacked)
#
# RUNS=3 rounds. Measures the `profiling` build (benches/fw.sh); FW=path uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
PUPILS=${1:-4000}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-/tmp/filterwatch-bench}/week-$PUPILS
mkdir -p "$DIR"
. benches/fw.sh

if [ ! -s "$DIR/plain/access.log" ]; then
  rm -rf "$DIR/school" "$DIR/plain"
  $FW generate --out "$DIR/school" --pupils "$PUPILS" >/dev/null
  mkdir -p "$DIR/plain"
  for f in $(ls "$DIR"/school/logs/access.log* | sort -t. -k3,3nr); do
    case "$f" in *.gz) zcat "$f" ;; *) cat "$f" ;; esac
  done > "$DIR/plain/access.log.tmp"
  mv "$DIR/plain/access.log.tmp" "$DIR/plain/access.log"
fi
lines=$(wc -l < "$DIR/plain/access.log")
echo "input: $(ls "$DIR"/school/logs | wc -l) files ($(ls "$DIR"/school/logs/*.gz | wc -l) gzip), $lines lines," \
  "$(( $(stat -c %s "$DIR/plain/access.log") / 1000000 )) MB unpacked; $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $RUNS alternating rounds"

: > "$DIR/week.times"; : > "$DIR/plain.times"
for _ in $(seq "$RUNS"); do
  for kind in week plain; do
    input="$DIR/school/logs"; [ "$kind" = plain ] && input="$DIR/plain/access.log"
    rm -rf "$DIR/data"
    sync
    /usr/bin/time -f '%e' -a -o "$DIR/$kind.times" \
      $FW ingest --quiet --config "$DIR/school/school.toml" --data "$DIR/data" "$input"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
week=$(median < "$DIR/week.times"); plain=$(median < "$DIR/plain.times")
awk -v w="$week" -v p="$plain" -v l="$lines" 'BEGIN {
  printf "rotated week  %6.2f s  %9.0f lines/s\n", w, l / w
  printf "one plain file %5.2f s  %9.0f lines/s\n", p, l / p
  printf "the week at %.0f%% of the plain file'"'"'s lines/s\n", 100 * p / w }'
echo "runs: week [$(paste -sd, "$DIR/week.times")] plain [$(paste -sd, "$DIR/plain.times")]"
