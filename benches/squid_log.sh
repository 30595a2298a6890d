# Sourced by the bench scripts after benches/fw.sh: makes (once) a generated school week of at
# least LINES lines flattened into one plain Squid native log, oldest rotation first, and sets
# `log` (that file) and `school` (the generated school's folder, with its school.toml).
school="$DIR/school-$LINES"
log="$DIR/access-$LINES.log"
if [ ! -s "$log" ]; then
  rm -rf "$school"
  $FW generate --out "$school" --pupils $(( LINES / 560 + 1 )) >/dev/null
  # head stops reading once it has LINES lines; the writers' SIGPIPE is expected, not a failure.
  set +o pipefail
  for f in $(ls "$school"/logs/access.log* | sort -t. -k3,3nr); do
    case "$f" in *.gz) zcat "$f" ;; *) cat "$f" ;; esac
  done | head -n "$LINES" > "$log.tmp"
  set -o pipefail
  mv "$log.tmp" "$log"
fi
