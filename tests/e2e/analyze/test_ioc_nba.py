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
    assert "missing.txt: list 'gone' not loaded" in p.stderr


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
