#!/bin/sh
# bench/sig/run.sh — signature engine benchmark of vigil issue 4, in one run:
#   1. builds vigil (gcc, buildtype=debugoptimized);
#   2. generates (once; reused when present) $WORK/http-$BYTES-s$SEED.pcap with
#      bench/sig/gen-http.py: complete HTTP/1.1 connections (keep-alive, varied methods,
#      paths, hosts, user agents, cookies, POST bodies, status codes, body sizes 0-64 KB,
#      some chunked) until BYTES bytes (default 1 GiB);
#   3. bench/sig/bench.py: `vigil analyze` over it with no rules, with ET Open's web rules
#      (emerging-web_*.rules) and with all of ET Open, RUNS times each (median), plus the
#      rule load alone (a capture without packets): packets/s and Gbit/s per core (CPU
#      time from wait4), the same with the load's CPU subtracted, rule load time, memory
#      of the loaded rules, peak RSS.
# Environment: BUILD (default build-bench), WORK (/tmp/vigil-bench-sig), BYTES (1073741824),
# RUNS (3), SEED (1), SHARED (the shared data folder, default ../shared).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORK=${WORK:-/tmp/vigil-bench-sig}
SHARED=${SHARED:-$SRC/../shared}
BYTES=${BYTES:-1073741824}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
mkdir -p "$WORK"
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dshared_dir="$SHARED" -Dbuildtype=debugoptimized
fi
ninja -C "$BUILD" -j2 src/cli/vigil >/dev/null
CAP=$WORK/http-$BYTES-s$SEED.pcap
if [ ! -s "$CAP" ]; then
  /usr/bin/python3 "$SRC/bench/sig/gen-http.py" -o "$CAP.tmp" --bytes "$BYTES" --seed "$SEED"
  mv "$CAP.tmp" "$CAP"
fi
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$SRC/bench/sig/bench.py" --vigil "$BUILD/src/cli/vigil" --capture "$CAP" \
  --et "$SHARED/data/rules/et-open" --runs "$RUNS" --work "$WORK"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
