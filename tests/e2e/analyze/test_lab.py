"""`vigil analyze` on the lab captures (../shared/data/lab/README.md gives what a correct
detector reports on each): exactly the expected scan/flood alerts with technique, source,
target, counts and tenant, nothing on benign traffic, VXLAN tenants kept apart; then the
command line itself: config errors, damaged and missing inputs, output formats, timelines.
Overlay attribution through Geneve and QinQ is checked on captures built here with scapy."""
import json
import os
import struct
import subprocess

import pytest

BIN = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
SRC = os.environ.get("VIGIL_SRC", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LAB = os.path.join(SHARED, "data", "lab", "pcap")
TENANTS = os.path.join(SRC, "etc", "tenants-lab.yaml")

SCAN_SID = {"SYN": 9100001, "CONNECT": 9100002, "FIN": 9100003, "NULL": 9100004,
            "XMAS": 9100005, "ACK": 9100006, "UDP": 9100007}


def run(*args, check=True):
    p = subprocess.run([BIN, "analyze", *args], capture_output=True, text=True, timeout=600)
    if check:
        assert p.returncode == 0, f"exit {p.returncode}: {p.stderr[-3000:]}"
    return p


def events(*files, extra=()):
    p = run("--tenants", TENANTS, *extra, *files)
    return [json.loads(l) for l in p.stdout.splitlines()]


def of_type(evs, t):
    return [e for e in evs if e["event_type"] == t]


def pcap_times(path, ipv4_dst=None):
    """Timestamps (s) of every packet of a classic Ethernet pcap file (only those of IPv4
    packets to ipv4_dst when given)."""
    with open(path, "rb") as f:
        b = f.read()
    e = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = b[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off, out = 24, []
    while off + 16 <= len(b):
        s, frac, cl, _ = struct.unpack(e + "IIII", b[off:off + 16])
        frame = b[off + 16:off + 16 + cl]
        if ipv4_dst is None or (frame[12:14] == b"\x08\x00" and
                                ".".join(str(x) for x in frame[30:34]) == ipv4_dst):
            out.append(s + frac / (1e9 if nano else 1e6))
        off += 16 + cl
    return out


@pytest.mark.parametrize("name,tech,ports", [
    ("scan-syn.pcap", "SYN", 1024),
    ("scan-connect.pcap", "CONNECT", 200),
    ("scan-fin.pcap", "FIN", 300),
    ("scan-null.pcap", "NULL", 300),
    ("scan-xmas.pcap", "XMAS", 300),
])
def test_vertical_tcp_scans(name, tech, ports):
    evs = events(os.path.join(LAB, name))
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1, [a["alert"]["signature"] for a in alerts]
    a = alerts[0]
    assert a["alert"]["signature_id"] == SCAN_SID[tech]
    assert a["vigil"]["scan"]["technique"] == tech
    assert a["vigil"]["scan"]["horizontal"] is False
    assert (a["src_ip"], a["dest_ip"]) == ("10.99.0.1", "10.99.0.2")
    assert a["tenant"] == "lab"
    eps = of_type(evs, "episode")
    assert len(eps) == 1 and eps[0]["vigil"]["episode_id"] == a["vigil"]["episode_id"]
    # nmap probed exactly this many ports; every one of them is counted by the end
    assert eps[0]["vigil"]["scan"]["ports"] == ports
    assert eps[0]["vigil"]["scan"]["hosts"] == 1


def test_udp_scan():
    evs = events(os.path.join(LAB, "scan-udp.pcap"))
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1
    a = alerts[0]
    assert a["alert"]["signature_id"] == SCAN_SID["UDP"] and a["proto"] == "UDP"
    assert (a["src_ip"], a["dest_ip"]) == ("10.99.0.1", "10.99.0.2")
    ep = of_type(evs, "episode")[0]
    # --top-ports 60: the ports that answered or stayed silent, all but the echo service
    assert 50 <= ep["vigil"]["scan"]["ports"] <= 60


def test_ipv6_scan():
    evs = events(os.path.join(LAB, "scan-ipv6.pcap"))
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1
    a = alerts[0]
    assert a["alert"]["signature_id"] == SCAN_SID["SYN"]
    assert (a["src_ip"], a["dest_ip"]) == ("fd00:99::1", "fd00:99::2")
    assert of_type(evs, "episode")[0]["vigil"]["scan"]["ports"] == 500


def test_horizontal_sweep():
    evs = events(os.path.join(LAB, "sweep-horizontal.pcap"))
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1
    a = alerts[0]
    assert a["alert"]["signature_id"] == 9100011
    assert a["vigil"]["scan"]["horizontal"] is True
    assert a["src_ip"] == "10.99.0.1"
    ep = of_type(evs, "episode")[0]["vigil"]["scan"]
    assert ep["hosts"] == 4
    assert set(ep["targets"]) == {"10.99.0.2", "10.99.0.3", "10.99.0.4", "10.99.0.5"}


@pytest.mark.parametrize("name,sid,dport,spoofed", [
    ("flood-syn.pcap", 9100101, 80, True),
    ("flood-udp.pcap", 9100102, 5353, True),
    ("flood-icmp.pcap", 9100103, None, False),
])
def test_floods(name, sid, dport, spoofed):
    path = os.path.join(LAB, name)
    evs = events(path)
    alerts = of_type(evs, "alert")
    assert [a["alert"]["signature_id"] for a in alerts] == [sid], "one flood alert, no scan"
    a = alerts[0]
    assert a["dest_ip"] == "10.99.0.2"
    if dport is not None:
        assert a["dest_port"] == dport
    fl = of_type(evs, "episode")[0]["vigil"]["flood"]
    if spoofed:
        assert "src_ip" not in a, "spoofed sources: no single source named"
        assert fl["sources_estimate"] > 5000
    else:
        assert a["src_ip"] == "10.99.0.1" and fl["sources_estimate"] <= 2
    assert fl["peak_pps"] >= 3000
    # onset within one second of the first flood packet, in packet time
    first = pcap_times(path, "10.99.0.2")[0]
    from datetime import datetime
    t = datetime.strptime(a["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    assert 0 <= t - first < 1.0, t - first


@pytest.mark.parametrize("name", ["benign.pcap", "ssh-bruteforce.pcap", "http-attacks.pcap"])
def test_no_scan_or_flood_on_ordinary_sessions(name):
    # benign: nothing at all; the SSH and HTTP sessions are attacks, but not scans or
    # floods: their many short connections to one port must not look like one
    evs = events(os.path.join(LAB, name))
    assert of_type(evs, "alert") == []
    assert of_type(evs, "episode") == []


def test_benign_flows_and_app_layer():
    evs = events(os.path.join(LAB, "benign.pcap"))
    flows = of_type(evs, "flow")
    assert flows
    assert all(f["tenant"] == "lab" for f in flows)
    http = [f for f in flows if f.get("app_proto") == "http"]
    ssh = [f for f in flows if f.get("app_proto") == "ssh"]
    assert http and ssh
    f = ssh[0]["flow"]
    assert f["pkts_toserver"] > 0 and f["pkts_toclient"] > 0
    assert f["bytes_toserver"] > 0 and f["bytes_toclient"] > 0
    assert f["start"] <= f["end"]
    assert of_type(evs, "http"), "HTTP transactions are reported"
    ipv6 = [e for e in of_type(evs, "http") if ":" in e["src_ip"]]
    assert ipv6, "HTTP over IPv6 is reported too"
    assert len(of_type(evs, "ssh")) == 1


def test_ssh_bruteforce_sessions_visible():
    evs = events(os.path.join(LAB, "ssh-bruteforce.pcap"))
    ssh = of_type(evs, "ssh")
    assert len(ssh) == 8, "8 SSH connections"
    assert all(e["src_ip"] == "10.99.0.1" and e["dest_port"] == 22 for e in ssh)


def test_tenants_vxlan():
    evs = events(os.path.join(LAB, "tenants-vxlan.pcap"))
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1
    a = alerts[0]
    assert a["tenant"] == "tenant-a" and a["vigil"]["vni"] == 1001
    assert (a["src_ip"], a["dest_ip"]) == ("192.168.10.1", "192.168.10.2")
    assert a["alert"]["signature_id"] == SCAN_SID["SYN"]
    assert of_type(evs, "episode")[0]["vigil"]["scan"]["ports"] == 300
    # same inner addresses, other VNI: tenant-b's HTTP, never mixed into tenant-a's flows
    # (flows outside 192.168.10.0/24 on a VNI, e.g. link-local IPv6, belong to no tenant)
    flows = [f for f in of_type(evs, "flow") if f["src_ip"].startswith("192.168.10.")]
    by_vni = {}
    for f in flows:
        by_vni.setdefault(f["vigil"].get("vni"), set()).add(f.get("tenant"))
    assert by_vni[1001] == {"tenant-a"}
    assert by_vni[1002] == {"tenant-b"}
    assert not any(f.get("tenant") for f in of_type(evs, "flow") if "vni" not in f["vigil"])
    assert all(h["tenant"] == "tenant-b" for h in of_type(evs, "http"))


def test_all_lab_in_one_run_same_alerts():
    """The lab files are unrelated recordings, not in time order by name: each file that
    starts before the previous ended is a new timeline, so one run gives what the
    separate runs give."""
    files = sorted(os.path.join(LAB, f) for f in os.listdir(LAB) if f.endswith(".pcap"))
    together = events(*files)
    sids = sorted(a["alert"]["signature_id"] for a in of_type(together, "alert"))
    separate = []
    for f in files:
        separate += [a["alert"]["signature_id"] for a in of_type(events(f), "alert")]
    assert sids == sorted(separate)
    assert len(sids) == 12
    sep = events(*files, extra=("--separate",))
    assert sorted(a["alert"]["signature_id"] for a in of_type(sep, "alert")) == sids


def _canonical(stdout):
    """Events without what differs between two runs of the same input: the per-run random
    keys show in episode ids, in the spoofed-source estimate of floods, and in the scan
    detector's counters of its keyed admission table (collisions decide what is kept)."""
    out = []
    for line in stdout.splitlines():
        e = json.loads(line)
        v = e.get("vigil", {})
        v.pop("episode_id", None)
        v.get("flood", {}).pop("sources_estimate", None)
        sc = e.get("stats", {}).get("detect", {}).get("scan", {})
        for k in ("trackers", "memuse", "first_probes", "first_promoted", "first_overwritten",
                  "admitted_seen", "evictions"):
            sc.pop(k, None)
        out.append(json.dumps(e, sort_keys=True))
    return out


@pytest.mark.parametrize("extra", [(), ("--separate",)])
def test_reader_thread_same_events(tmp_path, extra):
    """Files read and decoded on a second thread (--threads 2) give the very events, in the
    same order, and the same errors as one thread: across many batches, file boundaries,
    new timelines, a missing file and a file cut inside a packet."""
    data = open(os.path.join(LAB, "scan-syn.pcap"), "rb").read()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) // 2 + 5])
    files = [os.path.join(LAB, f) for f in ("flood-syn.pcap", "scan-fin.pcap", "benign.pcap")]
    files += [str(tmp_path / "nope.pcap"), str(cut), os.path.join(LAB, "tenants-vxlan.pcap"),
              os.path.join(LAB, "flood-udp.pcap")]
    res = {}
    for t in ("1", "2"):
        p = subprocess.run([BIN, "analyze", "--threads", t, "--tenants", TENANTS, *extra, *files],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 1, p.stderr
        res[t] = (_canonical(p.stdout), p.stderr)
    one, two = res["1"], res["2"]
    assert len(one[0]) > 40000  # the two floods' flows: hundreds of batches
    assert one[0] == two[0]
    assert one[1] == two[1] and "nope.pcap" in two[1] and "cut.pcap" in two[1]
    p = run("--threads", "3", os.path.join(LAB, "benign.pcap"), check=False)
    assert p.returncode == 2 and "--threads" in p.stderr


def test_summary_on_stderr():
    p = run("--summary", "--tenants", TENANTS, "-o", os.devnull, os.path.join(LAB, "scan-syn.pcap"))
    assert "alerts: 1 (scan 1)" in p.stderr
    assert "VIGIL SCAN TCP SYN port scan" in p.stderr and "1024 ports" in p.stderr
    assert "top sources: 10.99.0.1 (1)" in p.stderr
    q = run("--tenants", TENANTS, "-o", os.devnull, os.path.join(LAB, "scan-syn.pcap"))
    assert q.stderr == "", "no summary when stderr is not a terminal"


def test_ecs_output():
    p = run("--format", "ecs", "--tenants", TENANTS, os.path.join(LAB, "scan-syn.pcap"))
    docs = [json.loads(l) for l in p.stdout.splitlines()]
    alerts = [d for d in docs if d["event"]["kind"] == "alert"]
    assert len(alerts) == 1
    a = alerts[0]
    assert a["source"]["ip"] == "10.99.0.1" and a["destination"]["ip"] == "10.99.0.2"
    assert a["rule"]["id"] == "1:9100001"  # gid:sid


def test_types_filter(tmp_path):
    out = tmp_path / "o.json"
    run("--types", "stats", "-o", str(out), os.path.join(LAB, "benign.pcap"))
    kinds = {json.loads(l)["event_type"] for l in out.read_text().splitlines()}
    assert kinds == {"stats"}
    p = run("--types", "flows", os.path.join(LAB, "benign.pcap"), check=False)
    assert p.returncode == 2 and "--types" in p.stderr


def test_stats_record_counts():
    evs = events(os.path.join(LAB, "scan-xmas.pcap"))
    st = of_type(evs, "stats")
    assert len(st) == 1
    s = st[0]["stats"]
    assert s["decoder"]["pkts"] == len(pcap_times(os.path.join(LAB, "scan-xmas.pcap")))
    # XMAS probes carry FIN+PSH+URG: counted as the anomaly they are, reported rate-limited
    assert s["decoder"]["event"]["tcp.invalid_flags"] >= 300
    assert s["detect"]["scan"]["alerts"] == 1
    anomalies = of_type(evs, "anomaly")
    assert 0 < len(anomalies) <= 100 * 3  # rate limit: 100 per type per second
    assert s["decoder"]["anomaly_events"] == len(anomalies)


def test_missing_and_damaged_inputs(tmp_path):
    src = os.path.join(LAB, "scan-syn.pcap")
    data = open(src, "rb").read()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[: len(data) * 2 // 3 + 7])  # ends inside a packet
    missing = tmp_path / "nope.pcap"
    p = subprocess.run([BIN, "analyze", "--tenants", TENANTS, str(missing), str(cut),
                        os.path.join(LAB, "benign.pcap")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 1
    assert "nope.pcap" in p.stderr and "cut.pcap" in p.stderr
    evs = [json.loads(l) for l in p.stdout.splitlines()]
    # the good two thirds of the scan are still analysed, benign after it too
    alerts = of_type(evs, "alert")
    assert [a["alert"]["signature_id"] for a in alerts] == [9100001]
    assert any(f.get("app_proto") == "ssh" for f in of_type(evs, "flow"))


def test_not_a_capture(tmp_path):
    bad = tmp_path / "bad.pcap"
    bad.write_text("this is not a capture\n")
    p = run(str(bad), check=False)
    assert p.returncode == 1 and "bad.pcap" in p.stderr


def test_config_errors_name_file_line_key(tmp_path):
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("flow:\n  memcap: 64m\ndetect:\n  scan:\n    ports-treshold: 10\n")
    p = run("-c", str(cfg), os.path.join(LAB, "benign.pcap"), check=False)
    assert p.returncode == 2
    assert "vigil.yaml:5" in p.stderr and "detect.scan.ports-treshold" in p.stderr
    assert "ports-threshold" in p.stderr  # the suggestion
    cfg.write_text("detect:\n  flood:\n    syn-pps: lots\n")
    p = run("-c", str(cfg), os.path.join(LAB, "benign.pcap"), check=False)
    assert p.returncode == 2 and "vigil.yaml:3" in p.stderr and "detect.flood.syn-pps" in p.stderr
    cfg.write_text("stream:\n  policy: sideways\n")
    p = run("-c", str(cfg), os.path.join(LAB, "benign.pcap"), check=False)
    assert p.returncode == 2 and "vigil.yaml:2" in p.stderr and "stream.policy" in p.stderr


def test_config_thresholds_apply(tmp_path):
    # raising the port threshold above what nmap probed in the slow window too silences it
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("detect:\n  scan:\n    ports-threshold: 400\n    slow-ports-threshold: 400\n")
    evs = [json.loads(l) for l in run("-c", str(cfg), os.path.join(LAB, "scan-fin.pcap")).stdout.splitlines()]
    assert of_type(evs, "alert") == []
    evs = [json.loads(l) for l in run("-c", str(cfg), os.path.join(LAB, "scan-syn.pcap")).stdout.splitlines()]
    assert len(of_type(evs, "alert")) == 1  # 1024 ports is still a scan


def test_usage_errors():
    assert run(check=False).returncode == 2
    p = run("--help")
    assert "usage: vigil analyze" in p.stdout and "--tenants" in p.stdout
    assert run("--format", "xml", "x.pcap", check=False).returncode == 2


# ---- overlays built here ---------------------------------------------------------------

scapy = pytest.importorskip("scapy.all")


def _wrap(tmp_path, name, wrap):
    from scapy.all import Ether, rdpcap, wrpcap
    pkts = rdpcap(os.path.join(LAB, "scan-fin.pcap"))
    out = []
    for p in pkts:
        w = wrap(p)
        w.time = p.time
        out.append(w)
    path = tmp_path / name
    wrpcap(str(path), out)
    return path


def test_geneve_tenant_by_vni(tmp_path):
    from scapy.all import IP, UDP, Ether
    from scapy.contrib.geneve import GENEVE
    tenants = tmp_path / "t.yaml"
    tenants.write_text("tenants:\n  - name: blue\n    networks:\n      - { cidr: 10.99.0.0/24, vni: 7001 }\n"
                       "  - name: red\n    networks:\n      - { cidr: 10.99.0.0/24, vni: 7002 }\n")
    path = _wrap(tmp_path, "geneve.pcap", lambda p: Ether() / IP(src="10.98.0.1", dst="10.98.0.2") /
                 UDP(sport=40000, dport=6081) / GENEVE(vni=7002, proto=0x6558) / p)
    p = subprocess.run([BIN, "analyze", "--tenants", str(tenants), str(path)], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    evs = [json.loads(l) for l in p.stdout.splitlines()]
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1
    assert alerts[0]["tenant"] == "red" and alerts[0]["vigil"]["vni"] == 7002
    assert alerts[0]["src_ip"] == "10.99.0.1"  # the inner packet, not the underlay
    assert alerts[0]["vigil"]["scan"]["technique"] == "FIN"


def test_qinq_tenant_by_vlan(tmp_path):
    from scapy.all import Dot1AD, Dot1Q, Ether
    tenants = tmp_path / "t.yaml"
    tenants.write_text("tenants:\n  - name: green\n    networks:\n      - { cidr: 10.99.0.0/24, vlan: 200 }\n")

    def wrap(p):
        inner = p[Ether].payload
        return Ether(src=p[Ether].src, dst=p[Ether].dst) / Dot1AD(vlan=100) / Dot1Q(vlan=200) / inner
    path = _wrap(tmp_path, "qinq.pcap", wrap)
    p = subprocess.run([BIN, "analyze", "--tenants", str(tenants), str(path)], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    evs = [json.loads(l) for l in p.stdout.splitlines()]
    alerts = of_type(evs, "alert")
    assert len(alerts) == 1
    assert alerts[0]["tenant"] == "green"
    assert alerts[0]["vlan"] == [100, 200]
