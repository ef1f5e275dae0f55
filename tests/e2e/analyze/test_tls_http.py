"""tls.certs / tls.cert_* and decompressed HTTP bodies, end to end through `vigil analyze`.

TLS: real handshakes between `openssl s_server` and `openssl s_client` on loopback,
recorded by a relay in this process (no capture privileges needed) and written as a
pcap with scapy. The server's chain is leaf + intermediate (signed by a root that is not
sent), so a string only in the intermediate ("Vigil Root Only", its issuer) exists in
the second tls.certs instance alone. A TLS 1.3 session (certificate encrypted) and a
TLS 1.2 session with another certificate are the negative cases.

HTTP: responses and requests built here with Python's gzip/zlib: gzip, zlib deflate, raw
deflate, chunked+gzip split across segments, a gzip body that is not gzip, a bomb, and
an identity body; file.data / http.response_body / http.request_body rules must see
the decompressed bytes, and never the compressed ones."""
import gzip
import json
import os
import socket
import subprocess
import threading
import time
import zlib
from datetime import datetime

import pytest

scapy = pytest.importorskip("scapy.all")

BIN = os.environ.get("VIGIL_BIN", "vigil")

from tcpbuild import CLI, analyze_rules, tcp_session  # noqa: E402


def analyze(tmp_path, pcap, rules):
    evs, err = analyze_rules(tmp_path, pcap, rules)
    assert "skipped" not in err, err
    return evs


def sids_by_port(evs):
    """{server port: set of sids alerted in that flow}"""
    out = {}
    for e in evs:
        if e["event_type"] != "alert":
            continue
        port = e["dest_port"] if e["src_ip"] == CLI else e["src_port"]
        out.setdefault(port, set()).add(e["alert"]["signature_id"])
    return out


# ------------------------------------------------------------------------- TLS ----

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(d):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    (d / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n")
    (d / "leaf.ext").write_text("basicConstraints=CA:FALSE\nsubjectAltName=DNS:vigil-e2e.test\n")
    openssl("req", "-x509", *ec, "-keyout", "root.key", "-out", "root.pem", "-days", "3650",
            "-subj", "/O=Vigil Root Only/CN=Vigil E2E Root", cwd=d)
    openssl("req", *ec, "-keyout", "int.key", "-out", "int.csr",
            "-subj", "/C=US/O=Vigil E2E/CN=Vigil E2E Intermediate", cwd=d)
    openssl("x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key",
            "-set_serial", "0x1234", "-days", "3650", "-extfile", "ca.ext", "-out", "int.pem", cwd=d)
    openssl("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr",
            "-subj", "/C=US/O=Vigil E2E/CN=vigil-e2e.test", cwd=d)
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "int.pem", "-CAkey", "int.key",
            "-set_serial", "0x1A2B3C4D5E", "-days", "825", "-extfile", "leaf.ext",
            "-out", "leaf.pem", cwd=d)
    openssl("req", "-x509", *ec, "-keyout", "other.key", "-out", "other.pem", "-days", "30",
            "-subj", "/C=DE/O=Someone Else/CN=other-e2e.test", cwd=d)


def x509_field(d, pem, opt):
    p = subprocess.run(["openssl", "x509", "-in", pem, "-noout", opt], cwd=d, check=True,
                       capture_output=True, text=True)
    return p.stdout.strip().split("=", 1)[1]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def relay_session(d, server_args, client_args):
    """Run s_server (one connection) and s_client through a recording relay; return
    [(dir, bytes)] as each side wrote them."""
    sport, rport = free_port(), free_port()
    srv = subprocess.Popen(["openssl", "s_server", "-accept", str(sport), "-naccept", "1",
                            "-quiet", *server_args], cwd=d, stdin=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", rport))
    ls.listen(1)
    chunks, lock = [], threading.Lock()

    def pump(a, b, direction):
        while True:
            try:
                data = a.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    b.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with lock:
                chunks.append((direction, data))
            b.sendall(data)

    def run():
        c, _ = ls.accept()
        deadline = time.time() + 10
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", sport))
                break
            except OSError:
                if time.time() > deadline:
                    c.close()
                    return
                time.sleep(0.05)
        t1 = threading.Thread(target=pump, args=(c, s, 0))
        t2 = threading.Thread(target=pump, args=(s, c, 1))
        t1.start()
        t2.start()
        t1.join(15)
        t2.join(15)
        c.close()
        s.close()

    th = threading.Thread(target=run)
    th.start()
    try:
        subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{rport}",
                        "-servername", "vigil-e2e.test", *client_args],
                       cwd=d, input=b"", capture_output=True, timeout=20)
        th.join(20)
    finally:
        ls.close()
        srv.kill()
        srv.wait()
    # merge consecutive writes of one side
    out = []
    for direction, data in chunks:
        if out and out[-1][0] == direction:
            out[-1] = (direction, out[-1][1] + data)
        else:
            out.append((direction, data))
    return out


TLS_RULES = [
    # leaf subject / issuer / serial / fingerprint (fingerprint filled in per run)
    'alert tls any any -> any any (msg:"subject"; tls.cert_subject; content:"CN=vigil-e2e.test"; sid:1;)',
    'alert tls any any -> any any (msg:"subject other"; tls.cert_subject; content:"CN=nomatch.test"; sid:2;)',
    'alert tls any any -> any any (msg:"issuer"; tls.cert_issuer; content:"CN=Vigil E2E Intermediate"; sid:3;)',
    'alert tls any any -> any any (msg:"serial"; tls.cert_serial; content:"1A:2B:3C:4D:5E"; sid:4;)',
    # tls.certs: only in the intermediate; in the leaf (SAN); both in one instance: never
    'alert tls any any -> any any (msg:"certs root"; flow:to_client; tls.certs; content:"Vigil Root Only"; sid:6;)',
    'alert tls any any -> any any (msg:"certs san"; tls.certs; content:"|82 0e|vigil-e2e.test"; sid:7;)',
    'alert tls any any -> any any (msg:"certs both"; tls.certs; content:"Vigil Root Only"; content:"vigil-e2e.test"; sid:8;)',
    # the intermediate is the issuer of the leaf, not its subject: leaf-only buffer
    'alert tls any any -> any any (msg:"subject is leaf only"; tls.cert_subject; content:"Intermediate"; sid:9;)',
    'alert tls any any -> any any (msg:"certs other"; tls.certs; content:"Someone Else"; sid:10;)',
    # ET Open's shape: a DER OID then a string (id-at-organizationName, UTF8String "Vigil E2E")
    'alert tls any any -> any any (msg:"certs der"; tls.certs; content:"|55 04 0a 0c 09|Vigil E2E"; sid:11;)',
]


@pytest.fixture(scope="module")
def tls_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    make_pki(d)
    chain = ["-cert", "leaf.pem", "-key", "leaf.key", "-cert_chain", "int.pem"]
    s12 = relay_session(d, chain, ["-tls1_2"])
    s13 = relay_session(d, chain, ["-tls1_3"])
    sother = relay_session(d, ["-cert", "other.pem", "-key", "other.key"], ["-tls1_2"])
    for s in (s12, s13, sother):
        assert any(dr == 1 for dr, _ in s), "no server bytes recorded"
    from scapy.all import wrpcap
    # the two TLS 1.2 sessions: one now (leaf valid), one 60 days on, after the 30-day
    # "other" certificate expired (tls_cert_expired / tls_cert_valid use packet time)
    now = time.time()
    pk = []
    for port, chunks, t in ((443, s12, now), (8443, s13, now + 10), (4443, sother, now + 60 * 86400)):
        p, _ = tcp_session(t, 40000 + port % 1000, port, chunks, mss=700)
        pk += p
    pcap = d / "tls.pcap"
    wrpcap(str(pcap), pk)
    fp = x509_field(d, "leaf.pem", "-fingerprint").lower()
    nb = datetime.strptime(x509_field(d, "leaf.pem", "-startdate"), "%b %d %H:%M:%S %Y GMT")
    day = 86400
    nb_epoch = int((nb - datetime(1970, 1, 1)).total_seconds())
    lo = datetime.utcfromtimestamp(nb_epoch - day).strftime("%Y-%m-%d")
    hi = datetime.utcfromtimestamp(nb_epoch + 2 * day).strftime("%Y-%m-%d")
    rules = TLS_RULES + [
        f'alert tls any any -> any any (msg:"fingerprint"; tls.cert_fingerprint; content:"{fp}"; sid:5;)',
        f'alert tls any any -> any any (msg:"notbefore range"; tls_cert_notbefore:{lo}<>{hi}; sid:20;)',
        'alert tls any any -> any any (msg:"notbefore old"; tls_cert_notbefore:<2000-01-01; sid:21;)',
        # leaf: 825 days, the other: 30 days
        f'alert tls any any -> any any (msg:"notafter late"; tls_cert_notafter:>{datetime.utcfromtimestamp(now + 400 * day).strftime("%Y-%m-%d")}; sid:22;)',
        'alert tls any any -> any any (msg:"expired"; tls_cert_expired; sid:23;)',
        'alert tls any any -> any any (msg:"valid"; tls_cert_valid; sid:24;)',
        f'alert tls any any -> any any (msg:"notbefore exact"; tls_cert_notbefore:{nb.strftime("%Y-%m-%dT%H:%M:%S")}; sid:25;)',
        f'alert tls any any -> any any (msg:"notbefore off by 1s"; tls_cert_notbefore:{datetime.utcfromtimestamp(nb_epoch + 1).strftime("%Y-%m-%d %H:%M:%S")}; sid:26;)',
    ]
    evs = analyze(d, pcap, rules)
    return d, evs, fp


def test_tls_cert_rules(tls_run):
    d, evs, _ = tls_run
    got = sids_by_port(evs)
    assert got.get(443) == {1, 3, 4, 5, 6, 7, 11, 20, 22, 24, 25}, got
    # the other certificate was made within seconds of the leaf: its notBefore may be
    # the leaf's second (sid 25) or the next one (sid 26), and is always in the range (sid 20)
    def nb(name):
        return datetime.strptime(x509_field(d, name, "-startdate"), "%b %d %H:%M:%S %Y GMT")
    delta = (nb("other.pem") - nb("leaf.pem")).total_seconds()
    extra = {0: {25}, 1: {26}}.get(int(delta), set())
    assert got.get(4443) == {10, 20, 23} | extra, got
    assert 8443 not in got, got  # TLS 1.3: the certificate is encrypted


def test_tls_validity_rules_refused(tmp_path):
    bad = [
        'alert tls any any -> any any (msg:"a"; tls_cert_notbefore:2020-13-01; sid:1;)',
        'alert tls any any -> any any (msg:"b"; tls_cert_expired:1; sid:2;)',
        'alert tls any any -> any any (msg:"c"; tls_cert_notafter:>2020-01-01<>2021-01-01; sid:3;)',
        'alert tls any any -> any any (msg:"d"; tls_cert_notafter:2021-01-01<>2020-01-01; sid:4;)',
        'alert http any any -> any any (msg:"e"; tls_cert_valid; sid:5;)',
        'alert tls any any -> any any (msg:"ok"; tls_cert_notafter:2020-01-01 10:00<>2021-01-01T00; sid:6;)',
        'alert tls any any -> any any (msg:"ok2"; tls_cert_notbefore:<1600000000; sid:7;)',
    ]
    rf = tmp_path / "v.rules"
    rf.write_text("\n".join(bad) + "\n")
    p = subprocess.run([BIN, "rules", "check", "--json", str(rf)], capture_output=True, text=True, timeout=60)
    out = json.loads(p.stdout)
    assert out["loaded"] == 2 and out["skipped"] == 5, (out, p.stderr)


def test_tls_cert_alert_once_per_flow(tls_run):
    _, evs, _ = tls_run
    n = {}
    for e in evs:
        if e["event_type"] == "alert":
            k = (e["flow_id"], e["alert"]["signature_id"])
            n[k] = n.get(k, 0) + 1
    assert n and all(v == 1 for v in n.values()), n


def test_tls_eve_cert_fields(tls_run):
    d, evs, fp = tls_run
    tls = {e["dest_port"]: e["tls"] for e in evs if e["event_type"] == "tls"}
    t = tls[443]
    assert t["subject"] == "C=US, O=Vigil E2E, CN=vigil-e2e.test"
    assert t["issuerdn"] == "C=US, O=Vigil E2E, CN=Vigil E2E Intermediate"
    assert t["serial"] == "1A:2B:3C:4D:5E"
    assert t["fingerprint"] == fp
    assert t["version"] == "TLS 1.2"
    assert t["sni"] == "vigil-e2e.test"

    def iso(s):
        return datetime.strptime(s, "%b %d %H:%M:%S %Y GMT").strftime("%Y-%m-%dT%H:%M:%S")
    assert t["notbefore"] == iso(x509_field(d, "leaf.pem", "-startdate"))
    assert t["notafter"] == iso(x509_field(d, "leaf.pem", "-enddate"))
    assert tls[4443]["subject"] == "C=DE, O=Someone Else, CN=other-e2e.test"
    assert tls[4443]["issuerdn"] == tls[4443]["subject"]
    assert "subject" not in tls[8443] and tls[8443]["version"] == "TLS 1.3"


# ------------------------------------------------------------------------ HTTP ----

MARK = b"VIGIL-INFLATE-MARKER"


def body_text(n=6000):
    # compressible but not trivially: the marker after 4 KB of varied text
    words = b" ".join(b"word%d" % (i * 7919 % 1000) for i in range(n // 8))
    return words[:4096] + MARK + words[4096:n]


def response(body, headers=b"", chunked_parts=None):
    if chunked_parts is not None:
        out = b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in chunked_parts) + b"0\r\n\r\n"
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n" +
                headers + b"\r\n" + out)
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n" % len(body) +
            headers + b"\r\n" + body)


def get(path):
    return b"GET %s HTTP/1.1\r\nHost: web.test\r\nAccept-Encoding: gzip, deflate\r\n\r\n" % path


def raw_deflate(b):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()


HTTP_RULES = [
    'alert http any any -> any any (msg:"file.data marker"; flow:to_client; file.data; content:"VIGIL-INFLATE-MARKER"; sid:101;)',
    'alert http any any -> any any (msg:"response_body marker"; http.response_body; content:"VIGIL-INFLATE-MARKER"; sid:102;)',
    'alert http any any -> any any (msg:"gzip magic in body"; flow:to_client; file.data; content:"|1f 8b 08|"; depth:3; sid:103;)',
    'alert http any any -> any any (msg:"request body marker"; flow:to_server; http.request_body; content:"VIGIL-INFLATE-MARKER"; sid:104;)',
    'alert http any any -> any any (msg:"bomb start"; flow:to_client; file.data; content:"AAAAAAAAAAAAAAAA"; depth:16; sid:105;)',
    # multipart uploads: file.data is each file part (any one may match), not the body
    'alert http any any -> any any (msg:"upload 1"; flow:to_server; file.data; content:"FILEHEAD-ONE"; startswith; sid:106;)',
    'alert http any any -> any any (msg:"upload 2"; flow:to_server; file.data; content:"FILEHEAD-TWO"; startswith; sid:107;)',
    'alert http any any -> any any (msg:"form field"; flow:to_server; file.data; content:"FIELDVALUE"; sid:108;)',
    'alert http any any -> any any (msg:"body has field"; flow:to_server; http.request_body; content:"FIELDVALUE"; sid:109;)',
    'alert http any any -> any any (msg:"part headers"; flow:to_server; file.data; content:"Content-Disposition"; sid:110;)',
    'alert http any any -> any any (msg:"body start"; flow:to_server; http.request_body; content:"FILEHEAD-ONE"; startswith; sid:111;)',
]

MULTIPART = (b"--XbOuNdArY\r\n"
             b"Content-Disposition: form-data; name=\"comment\"\r\n\r\nFIELDVALUE\r\n"
             b"--XbOuNdArY\r\n"
             b"Content-Disposition: form-data; name=\"f1\"; filename=\"one.bin\"\r\n"
             b"Content-Type: application/octet-stream\r\n\r\nFILEHEAD-ONE rest of file one\r\n"
             b"--XbOuNdArY\r\n"
             b"Content-Disposition: form-data; name=\"f2\"; filename=\"two.txt\"\r\n\r\n"
             b"FILEHEAD-TWO rest\r\n--XbOuNdArY--\r\n")


@pytest.fixture(scope="module")
def http_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("http")
    text = body_text()
    gz = gzip.compress(text)
    assert MARK not in gz
    half = len(gz) // 2
    cases = {
        8001: [(0, get(b"/gzip")), (1, response(gz, b"Content-Encoding: gzip\r\n"))],
        8002: [(0, get(b"/deflate")), (1, response(zlib.compress(text), b"Content-Encoding: deflate\r\n"))],
        8003: [(0, get(b"/rawdeflate")), (1, response(raw_deflate(text), b"Content-Encoding: deflate\r\n"))],
        8004: [(0, get(b"/chunked")),
               (1, response(None, b"Content-Encoding: gzip\r\n", [gz[:7], gz[7:half], gz[half:]]))],
        # not gzip at all: anomaly, the raw bytes are kept (the marker is in them)
        8005: [(0, get(b"/bad")), (1, response(b"plain " + MARK + b" text", b"Content-Encoding: gzip\r\n"))],
        # identity: nothing to do
        8006: [(0, get(b"/plain")), (1, response(text))],
        # gzip sent without Content-Encoding: stays compressed
        8007: [(0, get(b"/octets")), (1, response(gz, b"Content-Type: application/octet-stream\r\n"))],
        # 64 MiB of 'A' in ~64 KB, the marker after them: a bomb, stopped early
        8008: [(0, get(b"/bomb")),
               (1, response(gzip.compress(b"A" * (64 << 20) + MARK), b"Content-Encoding: gzip\r\n"))],
        # a gzip'd request body (to server)
        8009: [(0, b"POST /up HTTP/1.1\r\nHost: web.test\r\nContent-Encoding: gzip\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(gz) + gz), (1, response(b"ok"))],
        # multipart/form-data upload: a field and two files
        8011: [(0, b"POST /upload HTTP/1.1\r\nHost: web.test\r\n"
                   b"Content-Type: multipart/form-data; boundary=XbOuNdArY\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(MULTIPART) + MULTIPART), (1, response(b"ok"))],
        # the same body posted as a plain body: file.data is the whole body
        8012: [(0, b"POST /raw HTTP/1.1\r\nHost: web.test\r\nContent-Type: application/octet-stream\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(MULTIPART) + MULTIPART), (1, response(b"ok"))],
        # a request body is a file (file.data) for POST and PUT only, as in Suricata
        8013: [(0, b"PATCH /p HTTP/1.1\r\nHost: web.test\r\nContent-Length: 20\r\n\r\nFILEHEAD-ONE patched"),
               (1, response(b"ok"))],
        8014: [(0, b"PUT /p HTTP/1.1\r\nHost: web.test\r\nContent-Length: 20\r\n\r\nFILEHEAD-ONE putting"),
               (1, response(b"ok"))],
        # x-gzip, the body in 1-byte segments
        8010: [(0, get(b"/xgzip")), (1, response(gz, b"Content-Encoding: x-gzip\r\n"))],
    }
    from scapy.all import wrpcap
    t = 1_795_000_000.0
    pk = []
    for port, chunks in cases.items():
        p, t = tcp_session(t, 30000 + port % 1000, port, chunks, mss=1 if port == 8010 else 1400)
        pk += p
        t += 1
    pcap = d / "http.pcap"
    wrpcap(str(pcap), pk)
    return analyze(d, pcap, HTTP_RULES)


def test_http_decompressed_matches(http_run):
    got = sids_by_port(http_run)
    for port in (8001, 8002, 8003, 8004, 8010):
        assert got.get(port) == {101, 102}, (port, got)
    assert got.get(8005) == {101, 102}, got     # bad gzip: raw bytes kept
    assert got.get(8006) == {101, 102}, got     # identity
    assert got.get(8007) == {103}, got          # not declared: compressed bytes, no marker
    assert got.get(8008) == {105}, got          # bomb: stopped before the marker
    assert got.get(8009) == {104}, got          # request body inflated
    assert got.get(8011) == {106, 107, 109}, got  # files, not the field or part headers
    assert got.get(8012) == {108, 109, 110}, got  # not multipart: the body is the file
    assert got.get(8013) == {111}, got            # PATCH: a body, no file
    assert got.get(8014) == {106, 111}, got       # PUT: the body is the file


def test_http_eve_lengths_are_wire_bytes(http_run):
    http = {e["dest_port"]: e["http"] for e in http_run if e["event_type"] == "http"}
    assert http[8001]["length"] == len(gzip.compress(body_text()))
    assert http[8006]["length"] == len(body_text())
