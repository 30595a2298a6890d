#!/usr/bin/env bash
# Times `filterwatch aggregate` over N generated schools (one week each) next to DuckDB (PyPI)
# computing the same per-school-week counts (requests, blocked, pupils seen, requests without a
# user) from the same Parquet files, then times a second `aggregate` run (every school-week
# unchanged, so read from the cache beside the share).
#
#   benches/la_scale.sh [SCHOOLS]     (default 10; PUPILS=2900 gives ~2M rows a school-week)
#
# COPIES=1 generates one school and links its files (hard links, no extra disk) as every other
# school, with its settings copy renamed: 300 × 2M rows without generating 600M lines. Each
# school-week is still read and computed on its own; only the page cache is shared.
#
# Measures the `profiling` build (benches/fw.sh); FW=path uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHOOLS=${1:-10}
PUPILS=${PUPILS:-2900}
DIR=${BENCH_DIR:-/tmp/filterwatch-la-bench}
mkdir -p "$DIR"
python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb
. benches/fw.sh

if [ ! -d "$DIR/data/events/school=school$SCHOOLS" ] && [ -n "${COPIES:-}" ]; then
  rm -rf "$DIR/data"
  $FW generate --out "$DIR/school1" --school-id school1 --pupils "$PUPILS" --seed 1 >/dev/null
  $FW ingest --config "$DIR/school1/school.toml" --data "$DIR/data" --quiet
  rm -rf "$DIR/school1/logs"
  for i in $(seq 2 "$SCHOOLS"); do
    cp -al "$DIR/data/events/school=school1" "$DIR/data/events/school=school$i"
    sed "s/^id = \"school1\"/id = \"school$i\"/" "$DIR/data/profiles/school1.toml" > "$DIR/data/profiles/school$i.toml"
  done
elif [ ! -d "$DIR/data/events/school=school$SCHOOLS" ]; then
  rm -rf "$DIR/data"
  for i in $(seq 1 "$SCHOOLS"); do
    $FW generate --out "$DIR/school$i" --school-id "school$i" --pupils "$PUPILS" --seed "$i" >/dev/null
    $FW ingest --config "$DIR/school$i/school.toml" --data "$DIR/data" --quiet
    rm -rf "$DIR/school$i/logs"
  done
fi
rows=$(python3 -c "import duckdb,sys; print(duckdb.sql(\"SELECT count(*) FROM read_parquet('$DIR/data/events/**/*.parquet', hive_partitioning=true)\").fetchall()[0][0])")
mb=$(du -sml "$DIR/data/events" | cut -f1)  # -l: hard-linked copies count as read
echo "input: $SCHOOLS schools, $rows rows, $mb MB of Parquet, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

seconds() { # command... → wall seconds, peak RSS MB on stderr
  /usr/bin/time -f "%e %M" "$@" 2> "$DIR/time.txt" >/dev/null
  tail -1 "$DIR/time.txt"
}
rm -rf "$DIR/data/.cache" "$DIR/la"
read -r fw_s fw_kb < <(seconds $FW aggregate --data "$DIR/data" --out "$DIR/la")
read -r again_s again_kb < <(seconds $FW aggregate --data "$DIR/data" --out "$DIR/la")
cat > "$DIR/duck.py" <<PY
import duckdb
duckdb.sql("""
  SELECT school, date_trunc('week', date) AS week, count(*) AS requests,
         count(*) FILTER (WHERE action = 'blocked') AS blocked,
         count(DISTINCT "user") FILTER (WHERE role = 'pupil') AS pupils,
         count(*) FILTER (WHERE "user" IS NULL) AS without_user
  FROM read_parquet('$DIR/data/events/**/*.parquet', hive_partitioning = true)
  GROUP BY 1, 2 ORDER BY 1, 2""").fetchall()
PY
read -r duck_s duck_kb < <(seconds python3 "$DIR/duck.py")
printf '%-40s %8s %10s\n' "run" "seconds" "peak MB"
printf '%-40s %8s %10d\n' "filterwatch aggregate (first run)" "$fw_s" $((fw_kb / 1024))
printf '%-40s %8s %10d\n' "filterwatch aggregate (unchanged, cached)" "$again_s" $((again_kb / 1024))
printf '%-40s %8s %10d\n' "DuckDB counts only" "$duck_s" $((duck_kb / 1024))
python3 -c "print(f'first run / DuckDB: {float(\"$fw_s\") / float(\"$duck_s\"):.1f}x; rows/s first run: {int($rows / float(\"$fw_s\")):,}')"
