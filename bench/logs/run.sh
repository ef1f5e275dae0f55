#!/bin/sh
# bench/logs/run.sh — log benchmark of vigil issue 5, in one run:
#   1. a deterministic 1M-line auth log (gen-authlog.py: sshd/PAM/sudo shapes, IPv4+IPv6);
#   2. `vigil logscan` lines/s (median of RUNS runs) against the peers doing the same
#      detection (SSH brute force per source): fail2ban-regex with the sshd filter,
#      sshguard's parser (sshg-parser) and CrowdSec (replay of a file, crowdsecurity/sshd);
#   3. syslog over TCP on loopback into `vigil logwatch`: messages/s, sent vs received.
# Installs fail2ban, sshguard and crowdsec (Debian packages) when missing. CrowdSec is set
# up offline: no Central API registration (an empty-but-present credentials file is the
# package's documented way, see /usr/share/doc/crowdsec/README.Debian), its own local API
# on 127.0.0.1:$CS_PORT with a throw-away database under $WORK, no daemon started.
# Environment: BUILD (meson build dir, default build), WORK (default /tmp/vigil-bench-logs),
# LINES (1000000), RUNS (3), CS_LINES (lines CrowdSec gets, default 100000: it runs at
# a few thousand lines/s), TCP_N (1000000), CS_PORT (18089).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORK=${WORK:-/tmp/vigil-bench-logs}
export BUILD WORK SRC
mkdir -p "$WORK"

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=""
for p in fail2ban sshguard crowdsec; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "bench: installing$missing" >&2
  # no Central API registration on an offline machine (README.Debian): the file must exist
  # and be non-empty before crowdsec's postinst runs
  if [ ! -s /etc/crowdsec/online_api_credentials.yaml ]; then
    $SUDO mkdir -p /etc/crowdsec
    echo "# no Central API: offline benchmark machine" | $SUDO tee /etc/crowdsec/online_api_credentials.yaml >/dev/null
  fi
  # never start the packages' daemons here (containers usually have this already)
  created_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ -n "$created_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d
fi

if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Dshared_dir="${SHARED:-$SRC/../shared}"
fi
ninja -C "$BUILD" -j2 src/cli/vigil bench/syslog-send >/dev/null
exec /usr/bin/python3 "$SRC/bench/logs/bench.py"
