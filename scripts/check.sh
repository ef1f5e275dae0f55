#!/bin/sh
# The whole test suite: style checks, unit + e2e + fuzz-corpus replay under ASan/UBSan,
# and the unit tests once more in the optimised gcc build. Prints one closing line
# "N passed, N failed".
set -u
BUILD=${1:-build}
ASAN=${2:-build-asan}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2
fail=0

./scripts/check-banned.sh || fail=1

export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
meson test -C "$ASAN" --print-errorlogs --num-processes 2 || fail=1
meson test -C "$BUILD" --suite unit --print-errorlogs --num-processes 2 || fail=1

# One closing line over both runs, from meson's JSON test logs.
/usr/bin/python3 - "$ASAN" "$BUILD" <<'PY'
import json, sys
p = f = s = 0
for d in sys.argv[1:]:
    try:
        with open(d + "/meson-logs/testlog.json") as fh:
            for line in fh:
                r = json.loads(line).get("result")
                if r in ("OK", "EXPECTEDFAIL"): p += 1
                elif r == "SKIP": s += 1
                else: f += 1
    except FileNotFoundError:
        f += 1
print(f"{p} passed, {f} failed, {s} skipped")
PY
exit $fail
