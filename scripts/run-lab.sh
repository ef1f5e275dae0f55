#!/bin/sh
# vigil's main job on its embedded defaults: analyze every lab capture (each on its own
# timeline: they are unrelated recordings) with vigil's own signatures (rules/vigil.rules)
# and print what was found. Events go to
# build/lab-events.json (EVE); the summary goes to the terminal.
# Usage: run-lab.sh VIGIL_BINARY SHARED_DIR
set -eu
VIGIL=$1
SHARED=$2
out=${VIGIL_OUT:-build/lab-events.json}
"$VIGIL" analyze --summary --separate --tenants etc/tenants-lab.yaml --rules rules/vigil.rules \
	-o "$out" \
	"$SHARED"/data/lab/pcap/*.pcap
