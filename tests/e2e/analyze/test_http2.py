"""HTTP/2 with prior knowledge, end to end through `vigil analyze`.

Real: nghttp (nghttp2's client, prior knowledge) against nghttpd --no-tls on loopback,
three requests on one connection (a page, a "malware" file, a missing file; Huffman
strings, dynamic table), recorded by a relay in this process (no capture privileges
needed) and written as a pcap with scapy. HTTP rules
(http.uri, http.user_agent, http.host, http.stat_code, http.response_body) must match
the HTTP/2 streams as they match HTTP/1, each on the right stream only; rules for
things that were not sent must stay silent; the exchange raises no anomaly.

Crafted (python3-hpack + scapy): a header block split over HEADERS + CONTINUATION,
padded DATA carrying a request body, a response split over many segments, and a DATA
frame longer than 64 KiB (long_frame_data, once, with the stream still logged)."""
import json
import os
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

scapy = pytest.importorskip("scapy.all")

BIN = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
SRC = os.environ.get("VIGIL_SRC", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
from tcpbuild import analyze_rules  # noqa: E402
from tcpbuild import tcp_session as _tcp_session  # noqa: E402
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def tcp_session(sport, dport, chunks, mss=1400, t=1700000000.0):
    return _tcp_session(t, sport, dport, chunks, mss)[0]


def analyze(tmp_path, pkts, rules):
    from scapy.all import wrpcap
    pcap = tmp_path / "h2.pcap"
    wrpcap(str(pcap), pkts)
    evs, _ = analyze_rules(tmp_path, pcap, rules)
    schema_path = os.path.join(SRC, "etc", "schema", "eve-v1.schema.json")
    try:
        import jsonschema
        with open(schema_path) as f:
            schema = json.load(f)
        for e in evs:
            jsonschema.validate(e, schema)
    except ImportError:
        pass
    return evs


def of_type(evs, t):
    return [e for e in evs if e["event_type"] == t]


def alerts(evs):
    """sid -> [alert events]"""
    out = {}
    for e in of_type(evs, "alert"):
        out.setdefault(e["alert"]["signature_id"], []).append(e)
    return out


# ------------------------------------------------------------- real exchange ----

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def relay_exchange(server_cmd, server_port, client_cmd_for):
    """Start the server, put a recording relay in front of it, run the client against
    the relay; returns [(dir, bytes)] in the order the relay saw them."""
    srv = subprocess.Popen(server_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rport = free_port()
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
        s = socket.create_connection(("127.0.0.1", server_port))
        t1 = threading.Thread(target=pump, args=(c, s, 0))
        t2 = threading.Thread(target=pump, args=(s, c, 1))
        t1.start()
        t2.start()
        t1.join(30)
        t2.join(30)
        c.close()
        s.close()

    try:
        deadline = time.time() + 10
        while True:  # wait until the server listens
            try:
                socket.create_connection(("127.0.0.1", server_port)).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        th = threading.Thread(target=run)
        th.start()
        p = subprocess.run(client_cmd_for(rport), capture_output=True, timeout=60)
        th.join(30)
        assert p.returncode == 0, p.stderr[-2000:]
    finally:
        srv.terminate()
        srv.wait(10)
        ls.close()
    return chunks


@pytest.mark.skipif(not (shutil.which("nghttpd") and shutil.which("nghttp")),
                    reason="needs nghttpd and nghttp (nghttp2-server, nghttp2-client: scripts/deps.sh)")
def test_real_nghttp_nghttpd(tmp_path):
    root = tmp_path / "www"
    (root / "malware").mkdir(parents=True)
    (root / "index.html").write_text("<html>vigil h2 index</html>\n")
    (root / "malware" / "payload.exe").write_bytes(b"MZ\x90\x00 vigil-fake-payload " + b"A" * 3000)
    port = free_port()
    # the connection preface probe of the readiness check is a connection nghttpd
    # survives; the relay's is the one recorded
    chunks = relay_exchange(
        ["nghttpd", "--no-tls", "-d", str(root), str(port)], port,
        # (curl 7.88 --http2-prior-knowledge fails reusing the connection: exit 16)
        lambda rport: ["nghttp", "-n", "--no-dep", "-H", "user-agent: vigil-e2e-h2/1.0",
                       f"http://127.0.0.1:{rport}/index.html",
                       f"http://127.0.0.1:{rport}/malware/payload.exe",
                       f"http://127.0.0.1:{rport}/nothing-here"])
    assert any(d == 0 and c.startswith(PREFACE) for d, c in chunks[:3]), "not prior knowledge"
    rules = [
        'alert http any any -> any any (msg:"h2 uri"; http.uri; content:"/malware/payload.exe"; sid:1;)',
        'alert http any any -> any any (msg:"h2 ua"; http.user_agent; content:"vigil-e2e-h2"; sid:2;)',
        'alert http any any -> any any (msg:"h2 404"; http.stat_code; content:"404"; sid:3;)',
        'alert http any any -> any any (msg:"h2 body"; http.response_body; content:"vigil-fake-payload"; sid:4;)',
        'alert http any any -> any any (msg:"h2 host"; http.host; content:"127.0.0.1"; sid:5;)',
        'alert http any any -> any any (msg:"h2 method"; http.method; content:"GET"; sid:6;)',
        # never sent: must stay silent
        'alert http any any -> any any (msg:"no such uri"; http.uri; content:"/index.php"; sid:10;)',
        'alert http any any -> any any (msg:"no POST"; http.method; content:"POST"; sid:11;)',
        'alert http any any -> any any (msg:"no 500"; http.stat_code; content:"500"; sid:12;)',
        'alert http any any -> any any (msg:"body not in index"; http.uri; content:"/index.html"; '
        'http.response_body; content:"vigil-fake-payload"; sid:13;)',
    ]
    evs = analyze(tmp_path, tcp_session(40000, 8080, chunks), rules)
    http = of_type(evs, "http")
    by_url = {e["http"]["url"]: e for e in http}
    assert set(by_url) == {"/index.html", "/malware/payload.exe", "/nothing-here"}, http
    for e in http:
        assert e["app_proto"] == "http2"
        assert e["http"]["protocol"] == "HTTP/2"
        assert e["http"]["http_method"] == "GET"
        assert e["http"]["hostname"] == "127.0.0.1"
        assert e["http"]["http_user_agent"] == "vigil-e2e-h2/1.0"
    assert by_url["/index.html"]["http"]["status"] == 200
    assert by_url["/malware/payload.exe"]["http"]["status"] == 200
    assert by_url["/malware/payload.exe"]["http"]["length"] == 3000 + 24
    assert by_url["/nothing-here"]["http"]["status"] == 404
    sids = [e["http"]["http2"]["stream_id"] for e in http]
    assert sorted(sids) == [1, 3, 5]
    a = alerts(evs)
    assert len(a.get(1, [])) == 1 and a[1][0]["http"]["url"] == "/malware/payload.exe"
    assert len(a.get(2, [])) == 3
    assert len(a.get(3, [])) == 1 and a[3][0]["http"]["url"] == "/nothing-here"
    assert len(a.get(4, [])) == 1 and a[4][0]["http"]["url"] == "/malware/payload.exe"
    assert len(a.get(5, [])) == 3
    assert len(a.get(6, [])) == 3
    for sid in (10, 11, 12, 13):
        assert sid not in a, a[sid]
    assert of_type(evs, "anomaly") == []
    flows = of_type(evs, "flow")
    assert [f["app_proto"] for f in flows] == ["http2"]


# ----------------------------------------------------------- crafted exchange ----

def frame(t, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([t, flags]) + struct.pack(">I", sid) + payload


def test_crafted_continuation_padding_long_frame(tmp_path):
    hpack = pytest.importorskip("hpack")
    ec, es = hpack.Encoder(), hpack.Encoder()
    # stream 1: POST whose header block spans HEADERS + 2 CONTINUATION, padded body
    blk = ec.encode([(":method", "POST"), (":scheme", "http"), (":path", "/api/upload?id=7"),
                     (":authority", "Upload.Example:8080"), ("user-agent", "crafted-h2"),
                     ("content-type", "application/octet-stream")])
    c = PREFACE + frame(4, 0, 0, b"\x00\x04\x00\x01\x00\x00")  # SETTINGS: window
    c += frame(1, 0x00, 1, blk[:7]) + frame(9, 0, 1, blk[7:15]) + frame(9, 4, 1, blk[15:])
    body = b"secret-upload-marker" + b"." * 100
    c += frame(0, 0x08 | 0x01, 1, bytes([9]) + body + b"\x00" * 9)
    # stream 3: GET, answered by a DATA frame longer than 64 KiB
    c2 = frame(1, 0x05, 3, ec.encode([(":method", "GET"), (":scheme", "http"),
                                      (":path", "/big.bin"), (":authority", "upload.example")]))
    s = frame(4, 0, 0) + frame(4, 1, 0)
    s += frame(1, 0x04, 1, es.encode([(":status", "201"), ("server", "crafted")]))
    s += frame(0, 0x01, 1, b"created")
    s2 = frame(1, 0x04, 3, es.encode([(":status", "200")]))
    s2 += frame(0, 0x01, 3, b"B" * 70000)
    s2 += frame(6, 0, 0, b"pingping")
    rules = [
        'alert http any any -> any any (msg:"req body"; http.request_body; content:"secret-upload-marker"; sid:1;)',
        'alert http any any -> any any (msg:"uri"; http.uri; content:"/api/upload"; http.method; content:"POST"; sid:2;)',
        'alert http any any -> any any (msg:"201"; http.stat_code; content:"201"; sid:3;)',
        'alert http any any -> any any (msg:"host lowercased, no port"; http.host; content:"upload.example"; '
        'isdataat:!1,relative; sid:4;)',
        'alert http any any -> any any (msg:"padding is not body"; http.request_body; content:"|00 00 00|"; sid:10;)',
        'alert http any any -> any any (msg:"not this uri"; http.uri; content:"/big.bin"; http.method; content:"POST"; sid:11;)',
    ]
    pk = tcp_session(40001, 8080, [(0, c), (1, s), (0, c2), (1, s2)], mss=1000)
    evs = analyze(tmp_path, pk, rules)
    a = alerts(evs)
    for sid, n in ((1, 1), (2, 1), (3, 1), (4, 2)):
        assert len(a.get(sid, [])) == n, (sid, a.get(sid))
    assert 10 not in a and 11 not in a
    an = of_type(evs, "anomaly")
    assert [(e["anomaly"]["type"], e["anomaly"]["event"], e["app_proto"]) for e in an] == \
        [("applayer", "long_frame_data", "http2")]
    http = {e["http"]["url"]: e["http"] for e in of_type(evs, "http")}
    assert http["/api/upload?id=7"]["status"] == 201
    assert http["/api/upload?id=7"]["http_port"] == 8080
    assert http["/api/upload?id=7"]["request_body_length"] == len(body)
    assert http["/big.bin"]["status"] == 200
    assert http["/big.bin"]["length"] == 70000


def test_http1_not_http2(tmp_path):
    """An HTTP/1 request on the same port stays HTTP/1 (app_proto http, no http2 object)."""
    req = b"GET /malware/payload.exe HTTP/1.1\r\nHost: h1.example\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    evs = analyze(tmp_path, tcp_session(40002, 8443, [(0, req), (1, resp)]),
                  ['alert http any any -> any any (msg:"uri"; http.uri; content:"/malware/payload.exe"; sid:1;)'])
    http = of_type(evs, "http")
    assert len(http) == 1 and http[0]["app_proto"] == "http" and "http2" not in http[0]["http"]
    assert len(alerts(evs).get(1, [])) == 1


# ------------------------------------------- protocol in alerts and rule headers ----

def h2_exchange(path, body=b"h2-body-marker", extra_resp=(), sid=1):
    """A prior-knowledge exchange: (client bytes, server bytes) for one GET."""
    hpack = pytest.importorskip("hpack")
    ec, es = hpack.Encoder(), hpack.Encoder()
    c = PREFACE + frame(4, 0, 0) + frame(1, 0x05, sid, ec.encode(
        [(":method", "GET"), (":scheme", "http"), (":path", path),
         (":authority", "proto.example"), ("user-agent", "proto-test")]))
    s = frame(4, 0, 0) + frame(4, 1, 0)
    s += frame(1, 0x04, sid, es.encode([(":status", "200")] + list(extra_resp)))
    s += frame(0, 0x01, sid, body)
    return c, s


def test_app_proto_in_alerts_and_rules(tmp_path):
    """Alerts on an HTTP/2 stream say app_proto http2, on HTTP/1 http. Header "http"
    matches both versions, "http2" / "http1" only theirs; app-layer-protocol:http2 and
    !http2 split the two flows; app-layer-protocol:http covers both (Suricata 7)."""
    c, s = h2_exchange("/both/h2")
    pk = tcp_session(40010, 8080, [(0, c), (1, s)])
    req = b"GET /both/h1 HTTP/1.1\r\nHost: proto.example\r\nUser-Agent: proto-test\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nh1-body-marker"
    pk += tcp_session(40011, 8080, [(0, req), (1, resp)], t=1700000010.0)
    rules = [
        'alert http any any -> any any (msg:"any version"; http.uri; content:"/both/"; sid:1;)',
        'alert http2 any any -> any any (msg:"h2 only"; http.uri; content:"/both/"; sid:2;)',
        'alert http1 any any -> any any (msg:"h1 only"; http.uri; content:"/both/"; sid:3;)',
        'alert http any any -> any any (msg:"alp http2"; http.user_agent; content:"proto-test"; '
        'app-layer-protocol:http2; sid:4;)',
        'alert http any any -> any any (msg:"alp !http2"; http.user_agent; content:"proto-test"; '
        'app-layer-protocol:!http2; sid:5;)',
        'alert http any any -> any any (msg:"alp http"; http.user_agent; content:"proto-test"; '
        'app-layer-protocol:http; sid:6;)',
        'alert http any any -> any any (msg:"alp http1"; http.user_agent; content:"proto-test"; '
        'app-layer-protocol:http1; sid:7;)',
        'alert http2 any any -> any any (msg:"h2 header, h1 content"; http.response_body; '
        'content:"h1-body-marker"; sid:8;)',
        'alert http1 any any -> any any (msg:"h1 header, h2 content"; http.response_body; '
        'content:"h2-body-marker"; sid:9;)',
        'alert tcp any any -> any any (msg:"tcp alp http2"; flow:to_server,established; '
        'app-layer-protocol:http2; sid:10;)',
    ]
    evs = analyze(tmp_path, pk, rules)
    a = alerts(evs)

    def urls(sid):
        return sorted(e["http"]["url"] for e in a.get(sid, []))

    assert urls(1) == ["/both/h1", "/both/h2"]
    assert urls(2) == ["/both/h2"]
    assert urls(3) == ["/both/h1"]
    assert urls(4) == ["/both/h2"]
    assert urls(5) == ["/both/h1"]
    assert urls(6) == ["/both/h1", "/both/h2"]
    assert urls(7) == ["/both/h1"]
    assert 8 not in a and 9 not in a
    for sid in range(1, 8):
        for e in a[sid]:
            want = "http2" if e["http"]["url"] == "/both/h2" else "http"
            assert e["app_proto"] == want, (sid, e)
    # a packet rule: only the HTTP/2 flow's packets, and they say http2
    assert a.get(10) and all(e["app_proto"] == "http2" and e["src_port"] == 40010 for e in a[10])


def test_gzip_body_inflated(tmp_path):
    """HTTP/2 DATA with content-encoding gzip / deflate is inflated as on HTTP/1:
    file.data and http.response_body see the decompressed bytes, not the wire bytes;
    EVE length stays the wire length."""
    import zlib
    text = b"<html>h2-inflated-marker " + b"lorem ipsum dolor sit amet " * 400 + b"</html>"
    gz = zlib.compress(text, 9, wbits=31)
    c, s = h2_exchange("/gz", body=gz, extra_resp=[("content-encoding", "gzip")])
    pk = tcp_session(40020, 8080, [(0, c), (1, s)])
    raw_dfl = zlib.compress(b"deflate-h2-marker " * 50, 9, wbits=-15)
    c2, s2 = h2_exchange("/dfl", body=raw_dfl, extra_resp=[("content-encoding", "deflate")])
    pk += tcp_session(40021, 8080, [(0, c2), (1, s2)], t=1700000020.0)
    c3, s3 = h2_exchange("/plain-gz-bytes", body=gz)  # gzip bytes without the header
    pk += tcp_session(40022, 8080, [(0, c3), (1, s3)], t=1700000030.0)
    rules = [
        'alert http any any -> any any (msg:"file.data inflated"; flow:to_client; file.data; '
        'content:"h2-inflated-marker"; sid:1;)',
        'alert http any any -> any any (msg:"response_body inflated"; http.response_body; '
        'content:"</html>"; sid:2;)',
        'alert http any any -> any any (msg:"raw deflate"; http.response_body; '
        'content:"deflate-h2-marker deflate-h2-marker"; sid:3;)',
        'alert http any any -> any any (msg:"gzip magic is not in the decoded body"; '
        'http.response_body; content:"|1f 8b 08|"; startswith; sid:4;)',
    ]
    evs = analyze(tmp_path, pk, rules)
    a = alerts(evs)

    def urls(sid):
        return sorted(e["http"]["url"] for e in a.get(sid, []))

    assert urls(1) == ["/gz"]
    assert urls(2) == ["/gz"]
    assert urls(3) == ["/dfl"]
    # only the stream that did not say it was gzip keeps the gzip magic
    assert urls(4) == ["/plain-gz-bytes"]
    http = {e["http"]["url"]: e["http"] for e in of_type(evs, "http")}
    assert http["/gz"]["length"] == len(gz)
    assert all(e["app_proto"] == "http2" for e in of_type(evs, "alert"))


@pytest.mark.parametrize("preface_first", [False, True])
def test_h2c_upgrade(tmp_path, preface_first):
    """HTTP/1.1 "Upgrade: h2c" answered by 101 Switching Protocols, then HTTP/2 on the
    same connection (RFC 7540 3.2), built as nghttp -u sends it (nghttpd, the server of
    the real test above, does not implement the upgrade): the upgraded request is stream
    1, answered in HTTP/2 frames; a second request is stream 3. The 101 is an HTTP/1
    transaction (app_proto http), the streams HTTP/2 ones (app_proto http2); the flow
    ends as http2. preface_first: the client's preface reaches vigil before the 101."""
    hpack = pytest.importorskip("hpack")
    ec, es = hpack.Encoder(), hpack.Encoder()
    req = (b"GET /index.html HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n"
           b"connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\n"
           b"http2-settings: AAMAAABkAAQAAP__\r\naccept: */*\r\nuser-agent: vigil-e2e-h2c/1.0\r\n\r\n")
    s101 = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
    srv1 = frame(4, 0, 0, b"\x00\x03\x00\x00\x00\x64")
    srv1 += frame(1, 0x04, 1, es.encode([(":status", "200"), ("server", "crafted-h2c"),
                                         ("content-type", "text/html")]))
    srv1 += frame(0, 0x01, 1, b"<html>vigil h2c index</html>\n")
    cli2 = PREFACE + frame(4, 0, 0, b"\x00\x03\x00\x00\x00\x64") + frame(4, 1, 0)
    cli3 = frame(1, 0x05, 3, ec.encode([(":method", "GET"), (":scheme", "http"),
                                        (":path", "/malware/payload.exe"),
                                        (":authority", "127.0.0.1:8080"),
                                        ("user-agent", "vigil-e2e-h2c/1.0")]))
    payload = b"MZ\x90\x00 vigil-h2c-payload " + b"A" * 3000
    srv3 = frame(4, 1, 0) + frame(1, 0x04, 3, es.encode([(":status", "200")]))
    srv3 += frame(0, 0x01, 3, payload)
    if preface_first:
        chunks = [(0, req), (0, cli2), (1, s101 + srv1), (0, cli3), (1, srv3)]
    else:
        chunks = [(0, req), (1, s101 + srv1), (0, cli2 + cli3), (1, srv3)]
    rules = [
        'alert http any any -> any any (msg:"101"; http.stat_code; content:"101"; sid:1;)',
        'alert http2 any any -> any any (msg:"h2 index body"; http.response_body; '
        'content:"vigil h2c index"; sid:2;)',
        'alert http2 any any -> any any (msg:"h2 payload"; http.uri; content:"/malware/payload.exe"; '
        'http.response_body; content:"vigil-h2c-payload"; sid:3;)',
        'alert http1 any any -> any any (msg:"h1 upgrade request"; http.header; content:"h2c"; sid:4;)',
        'alert http any any -> any any (msg:"ua on every request"; http.user_agent; content:"vigil-e2e-h2c"; sid:5;)',
        # not sent / not there
        'alert http any any -> any any (msg:"no POST"; http.method; content:"POST"; sid:10;)',
        'alert http1 any any -> any any (msg:"payload was never HTTP/1"; http.uri; '
        'content:"/malware/payload.exe"; sid:11;)',
        'alert http any any -> any any (msg:"no 404"; http.stat_code; content:"404"; sid:12;)',
        'alert http any any -> any any (msg:"preface is not a request"; http.method; content:"PRI"; sid:13;)',
        'alert http1 any any -> any any (msg:"frames are not an HTTP/1 body"; http.response_body; '
        'content:"vigil h2c index"; sid:14;)',
    ]
    evs = analyze(tmp_path, tcp_session(40030, 8080, chunks), rules)
    http = of_type(evs, "http")
    h1 = [e for e in http if e["app_proto"] == "http"]
    h2 = {e["http"]["http2"]["stream_id"]: e for e in http if e["app_proto"] == "http2"}
    assert len(h1) == 1 and h1[0]["http"]["status"] == 101 and h1[0]["http"]["url"] == "/index.html"
    assert sorted(h2) == [1, 3], http
    assert h2[1]["http"]["url"] == "/index.html" and h2[1]["http"]["status"] == 200
    assert h2[1]["http"]["http_method"] == "GET" and h2[1]["http"]["server"] == "crafted-h2c"
    assert h2[1]["http"]["hostname"] == "127.0.0.1"
    assert h2[3]["http"]["url"] == "/malware/payload.exe" and h2[3]["http"]["status"] == 200
    assert h2[3]["http"]["length"] == len(payload)
    a = alerts(evs)
    assert [e["app_proto"] for e in a.get(1, [])] == ["http"]
    assert [(e["app_proto"], e["http"]["url"]) for e in a.get(2, [])] == [("http2", "/index.html")]
    assert [(e["app_proto"], e["http"]["url"]) for e in a.get(3, [])] == [("http2", "/malware/payload.exe")]
    assert [e["app_proto"] for e in a.get(4, [])] == ["http"]
    # the HTTP/1 request, stream 1 (the same request, upgraded) and stream 3
    assert sorted(e["app_proto"] for e in a.get(5, [])) == ["http", "http2", "http2"]
    for sid in (10, 11, 12, 13, 14):
        assert sid not in a, a[sid]
    assert of_type(evs, "anomaly") == []
    assert [f["app_proto"] for f in of_type(evs, "flow")] == ["http2"]


def test_h2c_refused_stays_http1(tmp_path):
    """An h2c offer the server ignores (200, no 101): the connection stays HTTP/1 and
    a second HTTP/1 request on it is parsed as one."""
    req = (b"GET /a HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n"
           b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    req2 = b"GET /second HTTP/1.1\r\nHost: h\r\n\r\n"
    resp2 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    evs = analyze(tmp_path, tcp_session(40031, 8080, [(0, req), (1, resp), (0, req2), (1, resp2)]),
                  ['alert http2 any any -> any any (msg:"no http2"; http.uri; content:"/"; sid:1;)',
                   'alert http1 any any -> any any (msg:"second"; http.uri; content:"/second"; sid:2;)'])
    http = of_type(evs, "http")
    assert [(e["app_proto"], e["http"]["url"], e["http"]["status"]) for e in http] == \
        [("http", "/a", 200), ("http", "/second", 404)]
    a = alerts(evs)
    assert 1 not in a and len(a.get(2, [])) == 1
    assert [f["app_proto"] for f in of_type(evs, "flow")] == ["http"]
