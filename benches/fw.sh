# Sourced by the bench scripts: sets FW to the filterwatch binary they measure. Unless FW names
# one already, builds the `profiling` profile (release code without whole-program LTO, with line
# tables so a profiler's symbols resolve; Cargo.toml). The first such build compiles every
# dependency optimised: ~25 minutes on a 2-core machine, seconds after that.
if [ -z "${FW:-}" ]; then
  cargo build --quiet --profile profiling --bin filterwatch
  FW=target/profiling/filterwatch
fi
