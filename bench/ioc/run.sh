#!/bin/sh
# bench/ioc/run.sh — IoC set at 1M indicators: load time, memory, lookup ns (issue 4).
# Builds bench/ioc-bench in $BUILD (default build) and runs it; prints a Markdown table
# for bench/RESULTS.md ("IoC"). Single-threaded; a few hundred MB of RAM, ~1 minute.
#   BUILD=build N=1000000 SMALL=10000 QUERIES=200000 RUNS=5 bench/ioc/run.sh
set -eu
BUILD=${BUILD:-build}
N=${N:-1000000}
SMALL=${SMALL:-10000}
QUERIES=${QUERIES:-200000}
RUNS=${RUNS:-5}
DIR=${DIR:-/tmp/vigil-bench-ioc}
ninja -C "$BUILD" bench/ioc-bench >/dev/null
echo "ioc-bench: N=$N SMALL=$SMALL QUERIES=$QUERIES RUNS=$RUNS, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec "$BUILD/bench/ioc-bench" --n "$N" --small "$SMALL" --queries "$QUERIES" --runs "$RUNS" --dir "$DIR"
