#!/usr/bin/env bash
# What a school's night costs: a week of `filterwatch nightly` runs, one per day as the timer runs
# them, on a school of PUPILS pupils (~2M lines a week by default) with HISTORY weeks already kept,
# each run timed as a whole process (wall seconds, peak RSS) and split into its steps.
#
#   benches/nightly_cost.sh [HISTORY]     (default 12 weeks kept before the measured week)
#
# PUPILS (1000) and RPD (requests per pupil per school day, 380) size the school. The measured
# week's seven logrotate files (access.log.6.gz … access.log) appear one a night; each night is
# `nightly --today <the next day>`, so Monday's run also writes last week's report.
# Measures the `profiling` build (benches/fw.sh); FW=path uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
HISTORY=${1:-12}
PUPILS=${PUPILS:-1000}
RPD=${RPD:-380}
DIR=${BENCH_DIR:-/tmp/filterwatch-nightly-bench}
. benches/fw.sh
rm -rf "$DIR" && mkdir -p "$DIR"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# ISO week labels: the measured week is 2026-W43 (Monday 19 October), history the weeks before.
week_label() { date -u -d "2026-10-19 - $(( $1 * 7 )) days" +%G-W%V; }
generate() { # generate <week-label> <folder> <seed>
  $FW generate --out "$2" --school-id school --pupils "$PUPILS" --requests-per-pupil-day "$RPD" \
    --seed "$3" --week "$1" >/dev/null
}

# The school as the technician set it up; its logs folder fills a file a night.
generate "$(week_label 0)" "$DIR/week" 0
mkdir -p "$DIR/school/logs"
cp -r "$DIR/week/school.toml" "$DIR/week/roster.csv" "$DIR/week/categories" "$DIR/school/"
lines=$(for f in "$DIR"/week/logs/*; do case "$f" in *.gz) zcat "$f" ;; *) cat "$f" ;; esac; done | wc -l)
echo "school: $PUPILS pupils, $lines lines in the measured week, $HISTORY weeks kept before it"

# The days kept: earlier weeks ingested straight into the dataset.
t0=$(date +%s)
for k in $(seq "$HISTORY" -1 1); do
  generate "$(week_label "$k")" "$DIR/history" "$k"
  $FW ingest --config "$DIR/school/school.toml" --data "$DIR/data" --quiet "$DIR"/history/logs/*
  rm -rf "$DIR/history"
done
echo "history ingested in $(( $(date +%s) - t0 )) s; dataset $(du -sh "$DIR/data" | cut -f1)"

# Each night in two timed parts: the ingest of the new file, then the nightly itself, which then
# finds nothing new to ingest and costs the rest (detect, alerts, incident register, evidence kept,
# Monday's report, retention). Their sum is the night.
printf '%-11s %9s %9s %9s %9s %9s\n' today new_lines ingest_s rest_s night_s peak_MB
for day in 0 1 2 3 4 5 6; do
  file=$(ls "$DIR"/week/logs/ | sort -t. -k3,3nr | sed -n "$(( day + 1 ))p")
  ln "$DIR/week/logs/$file" "$DIR/school/logs/$file"
  today=$(date -u -d "2026-10-19 + $(( day + 1 )) days" +%F)
  # Last written at the end of its day, as logrotate leaves it, not when it was generated.
  touch -d "$today 00:00 UTC" "$DIR/school/logs/$file"
  new=$(case "$file" in *.gz) zcat "$DIR/school/logs/$file" ;; *) cat "$DIR/school/logs/$file" ;; esac | wc -l)
  read -r ingest_s ingest_kb < <( { /usr/bin/time -f '%e %M' $FW ingest --config "$DIR/school/school.toml" \
    --data "$DIR/data" --quiet >/dev/null; } 2>&1 | tail -1)
  read -r rest_s rest_kb < <( { /usr/bin/time -f '%e %M' $FW nightly --config "$DIR/school/school.toml" \
    --data "$DIR/data" --today "$today" >/dev/null; } 2>&1 | tail -1)
  peak=$(( (ingest_kb > rest_kb ? ingest_kb : rest_kb) / 1024 ))
  printf '%-11s %9d %9.2f %9.2f %9.2f %9d\n' "$today" "$new" "$ingest_s" "$rest_s" \
    "$(awk "BEGIN { print $ingest_s + $rest_s }")" "$peak"
done
