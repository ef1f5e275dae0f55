"""`vigil analyze -i` on a live interface: a connect scan made here against closed ports
of a network namespace's loopback is seen and reported once; privileges are dropped
after the capture is open. Needs root (capture, namespaces): skipped otherwise."""
import json
import os
import shutil
import subprocess
import time

import pytest
from livecap import LiveVigil

BIN = os.environ.get("VIGIL_BIN", "vigil")

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"),
                                reason="needs root and iproute2 for a network namespace")


@pytest.fixture
def netns():
    name = f"vigil-live-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    yield name
    subprocess.run(["ip", "netns", "del", name], check=False)


def test_live_connect_scan_in_netns(netns, tmp_path):
    out = tmp_path / "eve.json"
    os.chmod(tmp_path, 0o755)
    # --duration only bounds a run gone wrong; the test stops vigil itself once the scan is done
    vig = LiveVigil(["ip", "netns", "exec", netns, BIN, "analyze", "-i", "lo", "--bpf", "tcp",
                     "--user", "nobody", "--duration", "120", "-o", str(out)])
    vig.wait_for("capturing on lo")
    probe = ("import socket\n"
             "for port in range(21000, 21040):\n"
             "    s = socket.socket(); s.settimeout(0.5)\n"
             "    try: s.connect(('127.0.0.1', port))\n"
             "    except OSError: pass\n"
             "    s.close()\n")
    subprocess.run(["ip", "netns", "exec", netns, "/usr/bin/python3", "-c", probe], check=True, timeout=60)
    time.sleep(0.5)  # the last RSTs through the capture ring
    err = vig.stop()
    assert vig.proc.returncode == 0, err
    evs = [json.loads(l) for l in out.read_text().splitlines()]
    alerts = [e for e in evs if e["event_type"] == "alert"]
    assert len(alerts) == 1, alerts
    a = alerts[0]
    assert a["src_ip"] == "127.0.0.1" and a["dest_ip"] == "127.0.0.1"
    assert a["vigil"]["scan"]["technique"] in ("SYN", "CONNECT")
    ep = [e for e in evs if e["event_type"] == "episode"]
    assert len(ep) == 1 and ep[0]["vigil"]["scan"]["ports"] == 40
    assert out.stat().st_uid == 0  # opened before the drop


def test_live_requires_user_as_root():
    p = subprocess.run([BIN, "analyze", "-i", "lo", "--duration", "1"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 2 and "--user" in p.stderr


def test_live_bad_filter_and_interface():
    p = subprocess.run([BIN, "analyze", "-i", "lo", "--bpf", "tcp and and", "--user", "nobody"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and "tcp and and" in p.stderr
    p = subprocess.run([BIN, "analyze", "-i", "nosuchif0", "--user", "nobody"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 2 and "nosuchif0" in p.stderr
