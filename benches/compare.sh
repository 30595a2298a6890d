#!/usr/bin/env bash
# Times `filterwatch ingest` on a generated school Squid log next to DuckDB (PyPI) and GoAccess
# (Debian) reading the same file, in alternating rounds so the machine's load falls on each tool
# alike, and prints each tool's median wall time, CPU time, lines/s, MB/s and peak memory, and
# how many times filterwatch's wall time each peer's median is.
#
#   benches/compare.sh [LINES]        (default 10000000; needs ~2 GB free in $BENCH_DIR)
#
# RUNS=3 rounds; PEERS="duckdb goaccess" (GoAccess takes ~70 s a run on 10M lines: PEERS=duckdb
# for a quicker comparison). Installs goaccess (apt) and duckdb (pip) when missing. Measures the
# `profiling` build (benches/fw.sh); FW=path uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-10000000}
RUNS=${RUNS:-3}
PEERS=${PEERS:-duckdb goaccess}
DIR=${BENCH_DIR:-/tmp/filterwatch-bench}
mkdir -p "$DIR"

case " $PEERS " in *" goaccess "*)
  command -v goaccess >/dev/null || { apt-get update -qq && apt-get install -y -qq goaccess >/dev/null; } ;;
esac
case " $PEERS " in *" duckdb "*) python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb ;; esac

. benches/fw.sh

. benches/squid_log.sh
lines=$(wc -l < "$log")
bytes=$(stat -c %s "$log")
echo "input: $lines lines, $(( bytes / 1000000 )) MB, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $RUNS alternating rounds"

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

run_tool() { # name: one run, appending "wall cpu rss_kb" to $DIR/name.times
  local name=$1
  case $name in
    filterwatch)
      rm -rf "$DIR/data"
      set -- $FW ingest --quiet --config "$school/school.toml" --data "$DIR/data" "$log" ;;
    duckdb) set -- python3 "$DIR/duck.py" "$log" "$DIR/duck.parquet" ;;
    goaccess)
      set -- goaccess "$log" --log-format='%x.%^ %~%L %h %C/%s %b %m %U %e %^ %M' \
        --date-format=%s --time-format=%s -o "$DIR/goaccess.html" ;;
  esac
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$DIR/time" "$@" >/dev/null 2>"$DIR/$name.err" ||
    { echo "$name failed:"; cat "$DIR/$name.err"; return 1; }
  awk '{ print $1, $2 + $3, $4 }' "$DIR/time" >> "$DIR/$name.times"
}

tools="filterwatch $PEERS"
for t in $tools; do rm -f "$DIR/$t.times"; done
for _ in $(seq "$RUNS"); do
  for t in $tools; do run_tool "$t"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fw_wall=$(cut -d' ' -f1 "$DIR/filterwatch.times" | median)
printf '%-12s %8s %8s %11s %8s %9s %s\n' tool wall_s cpu_s lines/s MB/s peak_MB "wall vs filterwatch"
for t in $tools; do
  wall=$(cut -d' ' -f1 "$DIR/$t.times" | median)
  cpu=$(cut -d' ' -f2 "$DIR/$t.times" | median)
  rss=$(cut -d' ' -f3 "$DIR/$t.times" | median)
  awk -v t="$t" -v w="$wall" -v c="$cpu" -v r="$rss" -v l="$lines" -v b="$bytes" -v f="$fw_wall" \
    'BEGIN { printf "%-12s %8.2f %8.2f %11.0f %8.1f %9.0f %.2fx\n", t, w, c, l / w, b / w / 1e6, r / 1024, w / f }'
done
echo "runs (wall cpu rss_kb): $(for t in $tools; do printf '%s [%s] ' "$t" "$(paste -sd, "$DIR/$t.times")"; done)"
