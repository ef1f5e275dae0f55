#!/bin/sh
# vigil's main job on its embedded defaults: analyze every lab capture and print what
# was found. Usage: run-lab.sh VIGIL_BINARY SHARED_DIR
set -eu
VIGIL=$1
SHARED=$2
out=${VIGIL_OUT:-build/lab-events.json}
"$VIGIL" analyze --tenants etc/tenants-lab.yaml -o "$out" "$SHARED"/data/lab/pcap/*.pcap
echo "events written to $out"
