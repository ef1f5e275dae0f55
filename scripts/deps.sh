#!/bin/sh
# Installs the Debian packages vigil builds, tests and benchmarks with.
# Idempotent: packages already present are not touched; needs root (or sudo).
set -eu
PKGS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev libfuzzer-14-dev
 libpcap-dev libhyperscan-dev libpcre2-dev libjansson-dev libyaml-dev libgnutls28-dev
 libcmocka-dev python3-pytest python3-jsonschema python3-scapy tcpdump zlib1g-dev
 openssl python3-hpack nghttp2-client nghttp2-server"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
