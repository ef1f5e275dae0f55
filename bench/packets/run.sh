#!/bin/sh
# bench/packets/run.sh — packet-path benchmark of vigil issue 3, in one run:
#   1. builds vigil, bench/packets/pktgen and bench/packets/pcap-loop (gcc, -O2);
#   2. generates (once; reused when present) the inputs under $WORK:
#        mix-$PACKETS.pcap  the lab captures remixed: PACKETS frames (default 5M) of many
#                           instances of every lab capture, varied in addresses, ports,
#                           VNIs and timing (pktgen mix; ~10k packets/s of packet time);
#        flows-$FLOWS.pcap  FLOWS (default 1M) flows that all stay open (pktgen flows);
#   3. measures, alternating runs on the same file, the bare libpcap read loop
#      (pcap-loop; pcap-loop -b, the same loop reading through the 1 MiB stdio buffer
#      vigil uses; pcap-loop -d, that with pcap_dispatch and no stdio locks, as vigil's
#      reader calls libpcap: to show how much of a ratio is cheaper reading)
#      against `vigil analyze FILE -o /dev/null`: full pipeline, and decode +
#      flow + scan + flood only (app layer off, alerts and stats written), the latter also
#      with --threads 1 (vigil reads and decodes files on a second thread by default) —
#      median of RUNS runs each, packets/s per CPU second and per wall second, ratios
#      printed (per wall second is what the machine delivers, per CPU second the cost);
#   4. peak memory (max RSS from wait4) of `vigil analyze` over the 1M-flows capture,
#      and checks that all FLOWS flows were open together (flow records with reason
#      "shutdown" at the end of input).
# Environment: BUILD (meson build dir, default build-bench), WORK (default
# /tmp/vigil-bench-packets), PACKETS (5000000), FLOWS (1000000), RUNS (3), SEED (1),
# SHARED (the shared data folder, default ../shared).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORK=${WORK:-/tmp/vigil-bench-packets}
SHARED=${SHARED:-$SRC/../shared}
PACKETS=${PACKETS:-5000000}
FLOWS=${FLOWS:-1000000}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
export BUILD WORK SRC SHARED PACKETS FLOWS RUNS SEED
mkdir -p "$WORK"

if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dshared_dir="$SHARED" -Dbuildtype=debugoptimized
fi
ninja -C "$BUILD" -j2 src/cli/vigil bench/packets/pktgen bench/packets/pcap-loop >/dev/null

MIX=$WORK/mix-$PACKETS-s$SEED.pcap
FL=$WORK/flows-$FLOWS-s$SEED.pcap
if [ ! -s "$MIX" ]; then
  # stderr lists the instances of each capture: what a correct detector reports
  "$BUILD/bench/packets/pktgen" mix -o "$MIX.tmp" -n "$PACKETS" -s "$SEED" \
    "$SHARED"/data/lab/pcap/*.pcap 2>"$MIX.instances"
  cat "$MIX.instances" >&2
  mv "$MIX.tmp" "$MIX"
fi
if [ ! -s "$FL" ]; then
  "$BUILD/bench/packets/pktgen" flows -o "$FL.tmp" -n "$FLOWS" -s "$SEED" -d 60
  mv "$FL.tmp" "$FL"
fi
export MIX FL
exec /usr/bin/python3 "$SRC/bench/packets/bench.py"
