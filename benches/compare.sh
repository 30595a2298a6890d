#!/usr/bin/env bash
# Times `filterwatch ingest` on a generated 10M-line school Squid log next to GoAccess (Debian)
# and DuckDB (PyPI) reading the same file, and prints lines/s and MB/s for each.
#
#   benches/compare.sh [LINES]        (default 10000000; needs ~2 GB free in $BENCH_DIR)
#
# Installs goaccess (apt) and duckdb (pip) when missing. Measures the `profiling` build
# (benches/fw.sh); FW=path uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-10000000}
DIR=${BENCH_DIR:-/tmp/filterwatch-bench}
mkdir -p "$DIR"

command -v goaccess >/dev/null || { apt-get update -qq && apt-get install -y -qq goaccess >/dev/null; }
python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb

. benches/fw.sh

# A school week big enough for LINES lines, flattened into one plain Squid native log.
if [ ! -s "$DIR/access.log" ] || [ "$(wc -l < "$DIR/access.log")" -lt "$LINES" ]; then
  pupils=$(( LINES / 560 + 1 ))
  $FW generate --out "$DIR/school" --pupils "$pupils" >/dev/null
  # head stops reading once it has LINES lines; the writers' SIGPIPE is expected, not a failure.
  set +o pipefail
  for f in $(ls "$DIR"/school/logs/access.log* | sort -t. -k3,3nr); do
    case "$f" in *.gz) zcat "$f" ;; *) cat "$f" ;; esac
  done | head -n "$LINES" > "$DIR/access.log"
  set -o pipefail
fi
lines=$(wc -l < "$DIR/access.log")
bytes=$(stat -c %s "$DIR/access.log")
echo "input: $lines lines, $(( bytes / 1000000 )) MB, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

measure() { # name, command...
  local name=$1; shift
  local start end secs rss
  sync
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$DIR/rss" "$@" >/dev/null 2>"$DIR/$name.err" || { echo "$name failed:"; cat "$DIR/$name.err"; return 1; }
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  rss=$(( $(tail -1 "$DIR/rss") / 1024 ))
  printf '%-12s %7.2f s  %9.0f lines/s  %7.1f MB/s  peak %5d MB\n' "$name" "$secs" "$(echo "$lines / $secs" | bc -l)" "$(echo "$bytes / $secs / 1000000" | bc -l)" "$rss"
}

rm -rf "$DIR/data"
measure filterwatch $FW ingest --quiet --config "$DIR/school/school.toml" --data "$DIR/data" "$DIR/access.log"
measure goaccess goaccess "$DIR/access.log" --log-format='%x.%^ %~%L %h %C/%s %b %m %U %e %^ %M' \
  --date-format=%s --time-format=%s -o "$DIR/goaccess.html"
cat > "$DIR/duck.py" <<'PY'
import sys, duckdb
src, out = sys.argv[1], sys.argv[2]
names = "['ts','elapsed','client','code','status','bytes','method','url','user','hier','mime']"
duckdb.sql(f"""
COPY (
  SELECT unnest(regexp_extract(line,
           '^(\\S+)\\s+(\\S+) (\\S+) ([^/]+)/(\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (\\S+)', {names}))
  FROM read_csv('{src}', columns={{'line':'VARCHAR'}}, delim='\\x01', quote='', escape='', header=false)
) TO '{out}' (FORMAT parquet, COMPRESSION zstd)
""")
PY
measure duckdb python3 "$DIR/duck.py" "$DIR/access.log" "$DIR/duck.parquet"
