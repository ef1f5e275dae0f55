"""`vigil analyze` with IoC lists and behavioural analysis (issue 4): on the lab's
http-attacks capture a listed attacker address alerts once per flow and only as the
flows' source, a listed URL (written in another normal form) alerts on exactly the
request that fetched it, lookalike domains and unlisted URLs raise nothing, a bad list
line is reported with file:line and an unreadable list stops the run; on a capture built
here with scapy, connections every 60 s with jitter to one external peer are reported as
beaconing and random ones are not."""
import json
import os
import random
import subprocess

import pytest
from livecap import LiveVigil

BIN = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
LAB = os.path.join(SHARED, "data", "lab", "pcap")


def analyze(cfg, *files, check=True):
    p = subprocess.run([BIN, "analyze", "-c", str(cfg), "--types", "flow", *map(str, files)],
                       capture_output=True, text=True, timeout=600)
    if check:
        assert p.returncode == 0, f"exit {p.returncode}: {p.stderr[-3000:]}"
    return p, [json.loads(l) for l in p.stdout.splitlines()]


def alerts(evs, sid=None):
    return [e for e in evs if e["event_type"] == "alert" and
            (sid is None or e["alert"]["signature_id"] == sid)]


@pytest.fixture
def lists(tmp_path):
    (tmp_path / "ips.txt").write_text("# type: addr\n10.99.0.1\n192.0.2.0/24\nnot-an-ip\n")
    # the request was GET /../../etc/passwd to host 10.99.0.2: listed in another form
    (tmp_path / "urls.txt").write_text("HTTP://10.99.0.2:80/a/../etc/passwd\n"
                                       "http://10.99.0.2/etc/shadow\n")
    (tmp_path / "doms.txt").write_text("99.0.2.example\n*.10.99.0.2.evil\n")
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("ioc:\n  lists:\n"
                   "    - {name: lab-attackers, file: ips.txt}\n"
                   "    - {name: bad-urls, type: url, file: urls.txt}\n"
                   "    - {name: c2, type: domain, file: doms.txt}\n")
    return cfg


def test_ioc_lab(lists):
    p, evs = analyze(lists, os.path.join(LAB, "http-attacks.pcap"))
    assert "ips.txt:4: not an IP address or CIDR: 'not-an-ip'" in p.stderr
    flows = [e for e in evs if e["event_type"] == "flow"]
    from_attacker = [f for f in flows if f["src_ip"] == "10.99.0.1"]
    assert from_attacker
    addr = alerts(evs, 9300001)
    assert len(addr) == len(from_attacker)            # once per flow, not per packet
    assert {a["ioc"]["field"] for a in addr} == {"src_ip"}
    assert {a["src_ip"] for a in addr} == {"10.99.0.1"}
    assert addr[0]["alert"]["signature"] == \
        "VIGIL IOC addr 10.99.0.1 (list lab-attackers) in src_ip"
    url = alerts(evs, 9300003)
    assert len(url) == 1
    assert url[0]["ioc"] == {"indicator": "http://10.99.0.2/etc/passwd", "list": "bad-urls",
                             "type": "url", "field": "http.url", "subdomain": False}
    assert url[0]["http"]["url"] == "/../../etc/passwd"
    assert not alerts(evs, 9300002)                    # lookalike domains: nothing
    assert len(alerts(evs)) == len(addr) + 1
    # the flows that alerted say so
    ids = {a["flow_id"] for a in addr}
    assert all(f["flow"]["alerted"] for f in flows if f["flow_id"] in ids)


def test_ioc_benign_unlisted(tmp_path):
    (tmp_path / "ips.txt").write_text("192.0.2.1\n2001:db8::/32\n")
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("ioc:\n  lists:\n    - {name: x, type: addr, file: ips.txt}\n")
    _, evs = analyze(cfg, os.path.join(LAB, "benign.pcap"))
    assert alerts(evs) == []


def test_ioc_unreadable_list(tmp_path):
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("ioc:\n  lists:\n    - {name: gone, type: addr, file: missing.txt}\n")
    p, _ = analyze(cfg, os.path.join(LAB, "benign.pcap"), check=False)
    assert p.returncode == 2
    assert "missing.txt: list 'gone' not loaded: No such file or directory" in p.stderr


scapy = pytest.importorskip("scapy.all")


def tcp_conn(t, cli, srv, sport, dport):
    from scapy.all import IP, TCP, Ether
    pk = []
    for dt, src, dst, sp, dp, fl, pl in [
            (0.000, cli, srv, sport, dport, "S", b""),
            (0.010, srv, cli, dport, sport, "SA", b""),
            (0.020, cli, srv, sport, dport, "A", b""),
            (0.030, cli, srv, sport, dport, "PA", b"x" * 200),
            (0.040, srv, cli, dport, sport, "PA", b"y" * 300),
            (0.050, cli, srv, sport, dport, "FA", b""),
            (0.060, srv, cli, dport, sport, "FA", b""),
            (0.070, cli, srv, sport, dport, "A", b"")]:
        p = Ether() / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=fl) / pl
        p.time = t + dt
        pk.append(p)
    return pk


def test_nba_beacon(tmp_path):
    from scapy.all import wrpcap
    rnd = random.Random(7)
    pk = []
    t = 1700000000.0
    for i in range(14):   # every 60 s +-10 %
        pk += tcp_conn(t, "10.5.0.10", "203.0.113.80", 40000 + i, 443)
        t += 60 * (1 + rnd.uniform(-0.1, 0.1))
    t = 1700000000.0
    for i in range(14):   # random arrivals, same mean
        pk += tcp_conn(t, "10.5.0.11", "203.0.113.81", 41000 + i, 443)
        t += rnd.expovariate(1 / 60) + 1
    pk.sort(key=lambda p: p.time)
    cap = tmp_path / "beacon.pcap"
    wrpcap(str(cap), pk)
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("detect:\n  nba:\n    enabled: true\n")
    _, evs = analyze(cfg, cap)
    b = alerts(evs, 9400011)
    assert len(b) == 1
    assert (b[0]["src_ip"], b[0]["dest_ip"], b[0]["dest_port"]) == ("10.5.0.10", "203.0.113.80", 443)
    assert b[0]["nba"]["cv"] < 0.1 and b[0]["nba"]["connections"] >= 8
    assert alerts(evs) == b
    # off by default
    cfg.write_text("detect:\n  scan:\n    enabled: true\n")
    _, evs = analyze(cfg, cap)
    assert alerts(evs) == []


SERVER = """
import socket, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 22000)); s.listen(16)
def serve(c):
    while c.recv(4096): pass
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
"""

CLIENT = """
import os, socket, sys, time
d = sys.argv[1]
def conn(src):
    s = socket.socket(); s.bind((src, 0)); s.connect(('127.0.0.1', 22000)); return s
long = conn('127.0.0.3'); long.sendall(b'a')
c = conn('127.0.0.4'); c.sendall(b'x'); c.close()
open(os.path.join(d, 'phase1'), 'w').close()
while not os.path.exists(os.path.join(d, 'reloaded')): time.sleep(0.05)
long.sendall(b'b')
c = conn('127.0.0.5'); c.sendall(b'y'); c.close()
time.sleep(0.3); long.close()
"""


@pytest.mark.skipif(os.geteuid() != 0 or not __import__("shutil").which("ip"),
                    reason="needs root and iproute2 for a network namespace")
def test_ioc_reload_live(tmp_path):
    """SIGHUP re-reads the lists while capturing: flows before the reload are not
    re-checked, new ones are matched against the new lists, and a connection that spans
    the reload stays one flow."""
    import pathlib
    import shutil
    import signal
    import tempfile
    import time
    # lists are read after the privilege drop (and on every reload): nobody must reach them
    tmp_path = pathlib.Path(tempfile.mkdtemp(prefix="vigil-ioc-"))
    os.chmod(tmp_path, 0o755)
    try:
        _reload_live(tmp_path, signal, time)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _reload_live(tmp_path, signal, time):
    lst = tmp_path / "ips.txt"
    lst.write_text("127.0.0.9\n")
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text(f"ioc:\n  lists:\n    - {{name: live, type: addr, file: {lst}}}\n")
    ns = f"vigil-ioc-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        srv = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", SERVER])
        out = tmp_path / "eve.json"
        # --duration only bounds a run gone wrong: the test waits for what vigil says
        vig = LiveVigil(["ip", "netns", "exec", ns, BIN, "analyze", "-c", str(cfg), "-i", "lo",
                         "--bpf", "tcp port 22000", "--user", "nobody", "--duration", "120",
                         "--types", "flow", "-o", str(out)])
        err = ""
        try:
            vig.wait_for("capturing on lo")
            cli = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", CLIENT,
                                    str(tmp_path)])
            for _ in range(600):
                if (tmp_path / "phase1").exists():
                    break
                time.sleep(0.05)
            lst.write_text("127.0.0.3\n127.0.0.4\n127.0.0.5\n")
            vig.proc.send_signal(signal.SIGHUP)
            vig.wait_for("IoC lists reloaded (generation 2)")
            (tmp_path / "reloaded").write_text("")
            cli.wait(timeout=60)
            time.sleep(0.5)  # the last segments through the capture ring
        finally:
            err = vig.stop()
            srv.kill()
            srv.wait()
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)
    assert vig.proc.returncode == 0, err
    assert "IoC lists reloaded (generation 2)" in err
    evs = [json.loads(l) for l in out.read_text().splitlines()]
    hits = alerts(evs, 9300001)
    assert [(a["src_ip"], a["ioc"]["list"]) for a in hits] == [("127.0.0.5", "live")]
    long_flows = [e for e in evs if e["event_type"] == "flow" and e["src_ip"] == "127.0.0.3"]
    assert len(long_flows) == 1
    assert long_flows[0]["flow"]["bytes_toserver"] > 0 and long_flows[0]["flow"]["pkts_toserver"] >= 4
