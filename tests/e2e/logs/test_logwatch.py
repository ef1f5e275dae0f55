"""End-to-end tests of `vigil logwatch`: the lab's auth logs sent over UDP, TCP (octet
counting and LF framing) and TLS on loopback give the same alerts (and the same parsed
events) as `vigil logscan` gives on the file; an over-long line is truncated and the next line is intact; a followed
file rotated by rename and by truncation, with restarts in the middle (also across a
rotation made while vigil was stopped), has every line seen exactly once."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

VIGIL = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
LOGS = os.path.join(SHARED, "data", "lab", "logs")
AUTH = os.path.join(LOGS, "auth-dev.log")
AUTH5424 = os.path.join(LOGS, "auth5424-dev.log")


def read_lines(path):
    with open(path, "rb") as f:
        return [l for l in f.read().split(b"\n") if l]


class Watch:
    """A running `vigil logwatch`; the listening ports are read from its stderr."""

    def __init__(self, args, nlisten, out):
        self.out = out
        self.p = subprocess.Popen([VIGIL, "logwatch", "--events", "-o", out] + args,
                                  stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        self.ports = {}
        self.err_head = []
        while len(self.ports) < nlisten:
            line = self.p.stderr.readline().decode()
            if not line:
                raise AssertionError("logwatch exited: " + "".join(self.err_head))
            self.err_head.append(line)
            if line.startswith("listening on "):
                proto, addr = line.split()[2:4]
                self.ports[proto] = int(addr.rsplit(":", 1)[1])

    def stop(self, timeout=30):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        return self.finish(timeout)

    def finish(self, timeout=60):
        _, err = self.p.communicate(timeout=timeout)
        err = "".join(self.err_head) + err.decode()
        assert self.p.returncode == 0, err
        stats = [json.loads(l.split("logwatch: stats ", 1)[1])
                 for l in err.splitlines() if "logwatch: stats " in l]
        assert stats, err
        return stats[-1]


def events(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            if line.endswith("\n"):  # a running logwatch may be mid-write
                out.append(json.loads(line))
    return out


def key(ev):
    """What a detection cares about, independent of the transport."""
    v = ev.get("vigil", {})
    lg = ev.get("log", {})
    return tuple(str(x) for x in (ev.get("timestamp"), v.get("action"), v.get("outcome"),
                                  ev.get("src_ip"), ev.get("src_port"), lg.get("user"),
                                  lg.get("pid")))


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    crt, keyf = str(d / "server.crt"), str(d / "server.key")
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed (scripts/deps.sh installs it)")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyf, "-out", crt,
                    "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return crt, keyf


def send_tcp(port, payload):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(payload)
    s.close()


def send_tls(port, crt, payload):
    ctx = ssl.create_default_context(cafile=crt)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(payload)


def send_udp(port, lines):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for l in lines:
        u.sendto(l, ("127.0.0.1", port))
        time.sleep(0.0005)
    u.close()


def octet(lines):
    return b"".join(b"%d %s" % (len(l), l) for l in lines)


def lf(lines):
    return b"".join(l + b"\n" for l in lines)


def logscan(tmp_path, path):
    """`vigil logscan` on the file itself: the reference alerts and events."""
    out = str(tmp_path / ("logscan-" + os.path.basename(path) + ".json"))
    p = subprocess.run([VIGIL, "logscan", "--events", "-o", out, path], capture_output=True)
    assert p.returncode in (0, 1), p.stderr.decode()
    evs = events(out)
    return ([e for e in evs if e["event_type"] == "alert"],
            [e for e in evs if e["event_type"] != "alert"])


def strip_source(ev):
    ev = json.loads(json.dumps(ev))
    ev.get("log", {}).pop("source", None)
    return json.dumps(ev, sort_keys=True)


TRANSPORTS = ["udp", "tcp-octet", "tcp-lf", "tls"]


@pytest.mark.parametrize("logfile", [AUTH5424, AUTH])
def test_same_alerts_over_every_transport(tmp_path, cert, logfile):
    ref_alerts, ref_events = logscan(tmp_path, logfile)
    # what the lab README says happened: an SSH brute force from 10.99.0.1
    assert any(a["alert"]["signature"] == "SSH brute force from one source"
               and a["src_ip"] == "10.99.0.1" for a in ref_alerts), ref_alerts
    lines = read_lines(logfile)
    if logfile == AUTH:
        # traditional file lines carry no <PRI>; a syslog sender adds one
        lines = [b"<38>" + l for l in lines]
    n = len(lines)
    for tr in TRANSPORTS:
        out = str(tmp_path / ("events-%s.json" % tr))
        proto = tr.split("-")[0]
        args = ["--listen", "%s://127.0.0.1:0" % proto, "--max-messages", str(n)]
        if proto == "tls":
            args += ["--tls-cert", cert[0], "--tls-key", cert[1]]
        w = Watch(args, 1, out)
        port = w.ports[proto]
        if tr == "udp":
            send_udp(port, lines)
        elif tr == "tcp-octet":
            send_tcp(port, octet(lines))
        elif tr == "tcp-lf":
            send_tcp(port, lf(lines))
        else:
            send_tls(port, cert[0], octet(lines))
        st = w.finish()
        rx = st["received"]
        assert rx["messages"] == n, tr
        assert rx["truncated"] == 0 and rx["bad_header"] == 0 and rx["incomplete"] == 0
        assert st["queue"]["dropped"] == 0 and st["processed"]["lines"] == n
        if proto == "udp":
            assert rx["udp_datagrams"] == n and rx["udp_dropped"] == 0
        if proto == "tls":
            assert rx["tls_handshakes"] == 1 and rx["tls_handshake_failed"] == 0
        evs = events(out)
        alerts = [e for e in evs if e["event_type"] == "alert"]
        logs = [e for e in evs if e["event_type"] != "alert"]
        assert logs and all(e["log"]["source"].startswith(proto + "://127.0.0.1:") for e in logs)
        # the same alerts as logscan on the file, and no other
        assert sorted(map(strip_source, alerts)) == sorted(map(strip_source, ref_alerts)), tr
        # and every line understood the same way
        assert sorted(map(key, logs)) == sorted(map(key, ref_events)), tr
        assert st["processed"]["alerts"] == len(ref_alerts)


def test_overlong_line_truncated_next_intact(tmp_path):
    out = str(tmp_path / "events.json")
    w = Watch(["--listen", "tcp://127.0.0.1:0", "--max-messages", "3"], 1, out)
    good = read_lines(AUTH5424)[3]
    send_tcp(w.ports["tcp"], good + b"\n" + b"<13>" + b"x" * 200000 + b"\n" + good + b"\n")
    st = w.finish()
    assert st["received"]["truncated"] == 1
    assert st["received"]["skipped_bytes"] == 200004 - 65536
    assert st["received"]["messages"] == 3
    evs = events(out)
    assert len(evs) == 3
    assert [e["log"]["message"] for e in (evs[0], evs[2])] == [good.decode()] * 2
    assert evs[0]["parse"]["status"] == evs[2]["parse"]["status"] == "ok"
    assert evs[1]["parse"].get("truncated") is True
    assert len(evs[1]["log"]["message"]) == 65536
    assert st["processed"]["lines"] == 3


def test_tls_rejects_plaintext(tmp_path, cert):
    out = str(tmp_path / "events.json")
    w = Watch(["--listen", "tls://127.0.0.1:0", "--tls-cert", cert[0], "--tls-key", cert[1]],
              1, out)
    send_tcp(w.ports["tls"], b"<13>plain text on a TLS port\n")
    time.sleep(0.5)
    st = w.stop()
    assert st["received"]["messages"] == 0
    assert st["received"]["tls_handshake_failed"] == 1


# ---- file following: rotation and restarts -----------------------------------------

def fline(i):
    return ("Nov 22 23:59:%02d vm sshd[%d]: Failed password for invalid user u%d from "
            "10.99.0.%d port %d ssh2\n" % (i % 60, 1000 + i, i, 1 + i % 200, 10000 + i))


def append(path, a, b):
    with open(path, "a") as f:
        for i in range(a, b):
            f.write(fline(i))


def seen_ports(out):
    return [e["src_port"] for e in events(out)]


def wait_for(out, n, timeout=10):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if len(seen_ports(out)) >= n:
            return
        time.sleep(0.1)
    raise AssertionError("saw %d of %d lines" % (len(seen_ports(out)), n))


def test_rotation_and_restart_exactly_once(tmp_path):
    log = str(tmp_path / "auth.log")
    state = str(tmp_path / "state")
    out = str(tmp_path / "events.json")
    args = ["--follow", log, "--state", state]
    append(log, 0, 100)

    w = Watch(args, 0, out)
    wait_for(out, 100)
    append(log, 100, 150)
    os.rename(log, log + ".1")                 # rotation by rename
    append(log + ".1", 150, 160)               # the writer has not switched yet
    time.sleep(0.6)
    append(log, 160, 200)                      # new file
    wait_for(out, 200)
    # new lines show up within a second at the receiver (test-logs-recv asserts 1 s there);
    # here the output also waits for an idle flush and a loaded machine: allow 2 s
    t0 = time.time()
    append(log, 200, 201)
    wait_for(out, 201, timeout=5)
    assert time.time() - t0 < 2.0
    st = w.stop()
    assert st["received"]["file_rotations"] == 1

    # while stopped: more lines, then a rotation by rename
    append(log, 201, 230)
    os.rename(log, log + ".2")
    append(log, 230, 250)
    w = Watch(args, 0, out)
    wait_for(out, 250)
    # rotation by truncation (copytruncate) while running
    shutil.copy(log, log + ".3")
    with open(log, "r+") as f:
        f.truncate(0)
    append(log, 250, 290)
    wait_for(out, 290)
    # a line split across a restart: its first half is written before the stop
    with open(log, "a") as f:
        f.write(fline(290)[:30])
    time.sleep(0.6)
    st = w.stop()
    assert st["received"]["file_truncations"] == 1
    with open(log, "a") as f:
        f.write(fline(290)[30:])
    append(log, 291, 300)
    w = Watch(args + ["--duration", "2"], 0, out)
    st = w.finish()

    ports = seen_ports(out)
    assert sorted(ports) == [10000 + i for i in range(300)], \
        "lost %s, repeated %s" % (sorted(set(range(10000, 10300)) - set(ports)),
                                  sorted(p for p in set(ports) if ports.count(p) > 1))
    # a last restart with nothing new delivers nothing
    w = Watch(args + ["--duration", "1"], 0, out)
    st = w.finish()
    assert st["received"]["file_lines"] == 0
    assert len(seen_ports(out)) == 300


def test_sigusr1_counters_and_connection_cap(tmp_path):
    out = str(tmp_path / "events.json")
    w = Watch(["--listen", "tcp://127.0.0.1:0", "--listen", "udp://127.0.0.1:0",
               "--max-conns", "1", "--no-rules"], 2, out)
    line = read_lines(AUTH5424)[3]
    send_udp(w.ports["udp"], [line] * 5)
    keep = socket.create_connection(("127.0.0.1", w.ports["tcp"]))
    keep.sendall(line + b"\n")
    time.sleep(0.3)
    refused = socket.create_connection(("127.0.0.1", w.ports["tcp"]))
    # the second connection is over the cap: closed at once, nothing read from it
    refused.settimeout(5)
    try:
        assert refused.recv(1) == b""
    except ConnectionResetError:
        pass
    refused.close()
    time.sleep(0.3)
    w.p.send_signal(signal.SIGUSR1)
    got = None
    t0 = time.time()
    while got is None and time.time() - t0 < 10:
        l = w.p.stderr.readline().decode()
        w.err_head.append(l)
        if "logwatch: stats " in l:
            got = json.loads(l.split("logwatch: stats ", 1)[1])
    assert got and got["when"] == "signal"
    assert got["received"]["messages"] == 6
    assert got["received"]["conn_accepted"] == 1 and got["received"]["conn_refused"] == 1
    assert got["received"]["udp_datagrams"] == 5
    keep.close()
    st = w.stop()
    assert st["when"] == "exit" and st["processed"]["lines"] == 6


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop privileges")
def test_drops_privileges_after_setup(tmp_path):
    out = str(tmp_path / "events.json")
    w = Watch(["--listen", "tcp://127.0.0.1:0", "--user", "nobody", "--no-rules"], 1, out)
    time.sleep(0.2)
    uids = [l for l in open("/proc/%d/status" % w.p.pid) if l.startswith("Uid:")][0].split()[1:]
    assert set(uids) == {"65534"}, uids
    send_tcp(w.ports["tcp"], lf(read_lines(AUTH5424)[:5]))
    time.sleep(0.5)
    st = w.stop()
    assert st["received"]["messages"] == 5 and st["processed"]["lines"] == 5
