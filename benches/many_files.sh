#!/usr/bin/env bash
# Many small files: what a night of cloud exports costs. Writes N small Squid logs (12 lines,
# ~1.3 KB each, every one different), times a first `filterwatch ingest` of the folder and a
# re-ingest with nothing new, and times `sha256sum` over the same files as the floor any
# content-identity scheme pays. Re-ingest must grow linearly with N (it was quadratic: every
# manifest entry's head hashed for every file).
#
#   benches/many_files.sh [N...]        (default: 1000 2000 4000 50000)
#
# Measures the `profiling` build (benches/fw.sh); FW=path uses another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${*:-1000 2000 4000 50000}
DIR=${BENCH_DIR:-/tmp/filterwatch-many-files}
. benches/fw.sh
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%8s %12s %12s %12s %10s\n' files first_s reingest_s sha256sum_s ratio
for n in $SIZES; do
  rm -rf "$DIR" && mkdir -p "$DIR/logs"
  python3 - "$DIR/logs" "$n" <<'PY'
import os, sys
folder, n = sys.argv[1], int(sys.argv[2])
base = 1792573200
for i in range(n):
    with open(os.path.join(folder, f"export-{i:06d}.log"), "w") as f:
        for j in range(12):
            t = base + i * 60 + j
            f.write(f"{t}.000     12 10.1.{i % 250}.{j} TCP_MISS/200 512 GET http://site{i}.example/p{j} {i % 900:02d}pupil HIER_DIRECT/1.2.3.4 text/html\n")
PY
  printf 'id = "bench"\nformat = "squid"\n' > "$DIR/school.toml"
  t0=$(date +%s.%N)
  "$FW" ingest -q --config "$DIR/school.toml" --data "$DIR/data" "$DIR/logs"
  t1=$(date +%s.%N)
  "$FW" ingest -q --config "$DIR/school.toml" --data "$DIR/data" "$DIR/logs"
  t2=$(date +%s.%N)
  find "$DIR/logs" -type f -print0 | xargs -0 sha256sum > /dev/null
  t3=$(date +%s.%N)
  awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" \
    'BEGIN { printf "%8d %12.2f %12.2f %12.2f %10.1f\n", n, b-a, c-b, d-c, (c-b)/(d-c) }'
done
