#!/usr/bin/python3
"""gen-http.py — an HTTP-heavy capture for the signature benchmark (bench/sig/run.sh).

Writes a classic pcap (Ethernet, IPv4, TCP) of complete HTTP/1.1 connections until
--bytes of packet data are written: handshake, 1-4 keep-alive transactions, FIN
exchange; requests vary in method (GET/POST/HEAD), path depth and words, query strings,
Host, User-Agent (browsers, curl, python-requests, Go), Accept*, cookies, referers,
POST bodies (form and JSON); responses vary in status (200/301/304/404/500), server,
content type and body size (0 - 64 KB, segmented at 1448 bytes, a few chunked), so the
request and response shapes resemble real web traffic. Clients are 10.1.0.0/16 and
192.168.0.0/16 (HOME_NET), servers a mix of HOME_NET and public addresses, so rules
written $EXTERNAL_NET -> $HOME_NET and $HOME_NET -> $EXTERNAL_NET both get traffic.
No attack strings are inserted on purpose: the point is the cost of inspecting benign
traffic, which is what a sensor sees most. Deterministic for a --seed. Checksums are
left zero (vigil does not check them, like Suricata with checksum checks off)."""
import argparse
import random
import struct
import sys

WORDS = ("api v1 v2 users account login static assets img css js products search cart checkout "
         "news blog article category item detail profile settings images thumbnails download "
         "docs help about contact order payment session index view list edit update").split()
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "python-requests/2.31.0", "Go-http-client/1.1", "okhttp/4.12.0",
]
TLDS = ["com", "net", "org", "io", "de", "cloud"]
CTYPES = ["text/html; charset=utf-8", "application/json", "image/png", "text/css",
          "application/javascript", "image/jpeg", "application/octet-stream"]
SERVERS = ["nginx/1.24.0", "Apache/2.4.58 (Debian)", "cloudflare", "gunicorn", "Microsoft-IIS/10.0"]
STATUS = [(200, "OK")] * 14 + [(301, "Moved Permanently"), (304, "Not Modified"),
                              (404, "Not Found"), (500, "Internal Server Error")]


class Pcap:
    def __init__(self, f):
        self.f = f
        self.bytes = 0
        self.packets = 0
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def tcp(self, ts, src, dst, sport, dport, seq, ack, flags, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0,
                         src, dst)
        frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload
        sec, usec = divmod(int(ts * 1e6), 1000000)
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        self.f.write(frame)
        self.bytes += 16 + len(frame)
        self.packets += 1


def addr(a, b, c, d):
    return bytes((a, b, c, d))


def request(r):
    method = r.choices(["GET", "POST", "HEAD"], [80, 17, 3])[0]
    path = "/" + "/".join(r.choice(WORDS) for _ in range(r.randint(1, 5)))
    if r.random() < 0.3:
        path += r.choice([".html", ".php", ".js", ".css", ".png", ".json", ""])
    if r.random() < 0.5:
        path += "?" + "&".join(f"{r.choice(WORDS)}={r.randint(0, 99999)}" for _ in range(r.randint(1, 4)))
    host = f"{r.choice(WORDS)}{r.randint(1, 99)}.example.{r.choice(TLDS)}"
    h = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"User-Agent: {r.choice(UAS)}",
         "Accept: " + r.choice(["*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                                "application/json"]),
         "Accept-Language: " + r.choice(["en-US,en;q=0.9", "de-DE,de;q=0.8", "fr-FR"]),
         "Accept-Encoding: gzip, deflate, br", "Connection: keep-alive"]
    if r.random() < 0.6:
        h.append(f"Cookie: session={r.getrandbits(128):032x}; theme={r.choice(['dark', 'light'])}")
    if r.random() < 0.4:
        h.append(f"Referer: https://{host}/{r.choice(WORDS)}")
    body = b""
    if method == "POST":
        if r.random() < 0.5:
            body = "&".join(f"{r.choice(WORDS)}={r.choice(WORDS)}{r.randint(0, 999)}"
                            for _ in range(r.randint(2, 12))).encode()
            h.append("Content-Type: application/x-www-form-urlencoded")
        else:
            body = ("{" + ",".join(f'"{r.choice(WORDS)}":{r.randint(0, 1 << 20)}'
                                   for _ in range(r.randint(2, 40))) + "}").encode()
            h.append("Content-Type: application/json")
        h.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body, method


def response(r, method):
    code, msg = r.choice(STATUS)
    size = 0 if code in (304,) or method == "HEAD" else int(min(65536, r.expovariate(1 / 9000)))
    body = bytes(r.getrandbits(8) for _ in range(min(size, 64))) * (size // 64 + 1)
    body = body[:size]
    h = [f"HTTP/1.1 {code} {msg}", f"Server: {r.choice(SERVERS)}",
         "Date: Mon, 23 Nov 2026 12:00:00 GMT", f"Content-Type: {r.choice(CTYPES)}",
         "Cache-Control: " + r.choice(["no-cache", "max-age=3600", "private"])]
    if code == 301:
        h.append(f"Location: https://www.example.com/{r.choice(WORDS)}")
    if r.random() < 0.2:
        h.append(f"Set-Cookie: id={r.getrandbits(64):016x}; Path=/; HttpOnly")
    if method != "HEAD" and size > 0 and r.random() < 0.1:
        h.append("Transfer-Encoding: chunked")
        chunked = b""
        for i in range(0, len(body), 4096):
            c = body[i:i + 4096]
            chunked += b"%x\r\n" % len(c) + c + b"\r\n"
        return ("\r\n".join(h) + "\r\n\r\n").encode() + chunked + b"0\r\n\r\n"
    h.append(f"Content-Length: {size}")
    return ("\r\n".join(h) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else body)


def connection(pc, r, ts, n):
    cli = addr(10, 1, r.randint(0, 255), r.randint(1, 254)) if r.random() < 0.7 else \
        addr(192, 168, r.randint(0, 255), r.randint(1, 254))
    srv = addr(10, 2, r.randint(0, 3), r.randint(1, 254)) if r.random() < 0.5 else \
        addr(r.choice([93, 104, 151, 185]), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    sp, dp = 1024 + (n * 7) % 60000, r.choice([80] * 9 + [8080])
    cs, ss = r.getrandbits(32), r.getrandbits(32)
    t = ts
    pc.tcp(t, cli, srv, sp, dp, cs, 0, 0x02)
    pc.tcp(t + 0.0002, srv, cli, dp, sp, ss, cs + 1, 0x12)
    pc.tcp(t + 0.0003, cli, srv, sp, dp, cs + 1, ss + 1, 0x10)
    cs += 1
    ss += 1
    t += 0.0004
    for _ in range(r.randint(1, 4)):
        req, method = request(r)
        for i in range(0, len(req), 1448):
            seg = req[i:i + 1448]
            pc.tcp(t, cli, srv, sp, dp, cs, ss, 0x18, seg)
            cs += len(seg)
            t += 0.00005
        resp = response(r, method)
        for i in range(0, len(resp), 1448):
            seg = resp[i:i + 1448]
            pc.tcp(t, srv, cli, dp, sp, ss, cs, 0x18 if i + 1448 >= len(resp) else 0x10, seg)
            ss += len(seg)
            t += 0.00002
        pc.tcp(t, cli, srv, sp, dp, cs, ss, 0x10)
        t += 0.001
    pc.tcp(t, cli, srv, sp, dp, cs, ss, 0x11)
    pc.tcp(t + 0.0001, srv, cli, dp, sp, ss, cs + 1, 0x11)
    pc.tcp(t + 0.0002, cli, srv, sp, dp, cs + 1, ss + 1, 0x10)
    return t + 0.0002


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--bytes", type=int, default=1 << 30, help="stop after this many bytes (default 1 GiB)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    with open(a.output, "wb") as f:
        pc = Pcap(f)
        ts, n = 1795000000.0, 0
        while pc.bytes < a.bytes:
            ts = connection(pc, r, ts, n) + 0.0001
            n += 1
    print(f"{a.output}: {pc.packets} packets, {pc.bytes} bytes, {n} connections", file=sys.stderr)


if __name__ == "__main__":
    main()
