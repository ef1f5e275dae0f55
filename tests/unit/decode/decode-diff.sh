#!/bin/sh
# decode-diff.sh REV FILE... — decodes every frame of FILEs (pcap/pcapng of any link
# type, or decode fuzz inputs in fuzz-decode.c's format) with the decoder of git
# revision REV and with the working tree's, and compares the two struct vg_packet
# field by field (pointers must be equal: both decode the same buffer); fragments go
# through defrag and the reassembled datagrams are compared too (vg_decode_ip).
# Prints the count and the first mismatches; exit status 1 on any. For proving that
# a decoder change (e.g. a faster path) decodes exactly as before.
#   FUZZ=1 decode-diff.sh REV CORPUS_DIR... runs it as a libFuzzer target instead
#   (clang, ASan+UBSan; a mismatch traps), for 300 s unless FUZZ_ARGS says otherwise.
# Needs gcc (or clang), libpcap; run from anywhere inside the repository.
set -e
[ $# -ge 2 ] || { sed -n 2,12p "$0"; exit 2; }
REV=$1; shift
TOP=$(git rev-parse --show-toplevel)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/old/decode"
for f in decode.c decode-ip.c decode-l4.c decode-tunnel.c; do
	git -C "$TOP" show "$REV:src/decode/$f" > "$T/old/$f"
done
for f in $(git -C "$TOP" ls-tree --name-only "$REV" src/decode/ | grep '\.h$'); do
	git -C "$TOP" show "$REV:$f" > "$T/old/decode/$(basename "$f")"
done
# The old decoder's exported names get an old_ prefix (vg_decode_* and helpers it
# exports; inline helpers of its headers are static and need none).
grep -ho 'vg_decode_[a-z0-9_]*(' "$T"/old/*.c | tr -d '(' | sort -u |
	sed 's/.*/#define & old_&/' > "$T/rename.h"
for f in "$T"/old/*.c; do
	{ echo '#include "rename.h"'; cat "$f"; } > "$f.tmp" && mv "$f.tmp" "$f"
done
NEW="$TOP/src/decode/decode.c $TOP/src/decode/decode-ip.c $TOP/src/decode/decode-l4.c
     $TOP/src/decode/decode-tunnel.c $TOP/src/decode/decode-defrag.c
     $TOP/src/core/core-addr.c $TOP/src/core/core-error.c $TOP/src/core/core-hash.c"
INC="-I$TOP/src -I$TOP/build -I$TOP"
if [ -n "$FUZZ" ]; then
	CC=clang; FL="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"
	for f in "$T"/old/*.c; do
		$CC $FL -fsanitize=fuzzer-no-link -w -I"$T" -I"$T/old" $INC -c "$f" -o "$f.o"
	done
	$CC $FL -fsanitize=fuzzer -DFUZZ $INC -o "$T/diff" "$TOP/tests/unit/decode/decode-diff.c" \
		"$T"/old/*.o $NEW
	"$T/diff" ${FUZZ_ARGS:--max_total_time=300} "$@"
else
	CC=${CC:-gcc}
	for f in "$T"/old/*.c; do
		$CC -O2 -w -I"$T" -I"$T/old" $INC -c "$f" -o "$f.o"
	done
	$CC -O2 $INC -o "$T/diff" "$TOP/tests/unit/decode/decode-diff.c" "$T"/old/*.o $NEW -lpcap
	"$T/diff" "$@"
fi
