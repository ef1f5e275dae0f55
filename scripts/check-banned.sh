#!/bin/sh
# Rejects the C library calls STYLE.md 8 bans in src/ (bounded helpers exist in
# src/core/core-str.h). Exit 1 and a list of places when any is found.
cd "$(dirname "$0")/.." || exit 2
hits=$(grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok|sscanf)[[:space:]]*\(' src fuzz bench --include='*.c' --include='*.h' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$hits" ]; then
  echo "banned functions (see STYLE.md 8):" >&2
  echo "$hits" >&2
  exit 1
fi
exit 0
