#!/usr/bin/python3
"""Seed corpus for fuzz-detect-packets from the lab captures: the first N frames of a few
captures, in the harness's record format (see fuzz-detect-packets.c). Run from the source
root: /usr/bin/python3 fuzz/detect/make-corpus.py /work/shared/data/lab/pcap"""
import os
import struct
import sys

SEEDS = [  # (capture, frames, config byte)
    ("scan-syn.pcap", 120, 0x00), ("scan-syn.pcap", 80, 0x21),
    ("scan-connect.pcap", 120, 0x00), ("scan-udp.pcap", 100, 0x00),
    ("scan-fin.pcap", 60, 0x01), ("scan-xmas.pcap", 60, 0x00), ("scan-null.pcap", 60, 0x41),
    ("scan-ipv6.pcap", 120, 0x00), ("sweep-horizontal.pcap", 42, 0x00),
    ("flood-syn.pcap", 400, 0x00), ("flood-udp.pcap", 200, 0x01), ("flood-icmp.pcap", 300, 0x61),
    ("tenants-vxlan.pcap", 120, 0x00), ("benign.pcap", 200, 0x01), ("ssh-bruteforce.pcap", 100, 0x00),
]


def frames(path, n):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        nsec = magic in (0xA1B23C4D, 0x4D3CB2A1)
        link = struct.unpack(e + "I", hdr[20:24])[0]
        prev = None
        out = []
        while len(out) < n:
            rh = f.read(16)
            if len(rh) < 16:
                break
            sec, frac, incl, _ = struct.unpack(e + "IIII", rh)
            data = f.read(incl)
            t = sec + frac / (1e9 if nsec else 1e6)
            dt = 0 if prev is None else t - prev
            prev = t
            out.append((dt, data))
        return link, out


def main():
    src = sys.argv[1]
    dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "detect-packets")
    os.makedirs(dst, exist_ok=True)
    linkmap = {1: 0, 101: 1, 113: 2, 0: 3}
    for i, (cap, n, cfg) in enumerate(SEEDS):
        link, fr = frames(os.path.join(src, cap), n)
        out = bytearray([cfg, linkmap.get(link, 0)])
        for dt, data in fr:
            if dt >= 1.0:
                b = 0x80 | min(int(dt), 0x7F)
            else:
                b = min(int(dt * 100), 0x7F)
            out += bytes([b]) + struct.pack(">H", len(data)) + data
        name = "%02d-%s-%02x" % (i, cap.replace(".pcap", ""), cfg)
        with open(os.path.join(dst, name), "wb") as f:
            f.write(out)


if __name__ == "__main__":
    main()
