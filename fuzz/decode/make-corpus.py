#!/usr/bin/python3
"""Regenerate fuzz/decode/corpus/decode: frames picked from the lab captures plus frames
built with scapy for the encapsulations the captures lack (QinQ, Geneve, GRE, ERSPAN,
MPLS, PPPoE, SLL/SLL2, null, raw, IPv6 extension headers) and fragment series.

File format (see fuzz-decode.c): byte 0 = link-type index (high bit: the rest is a
sequence of 16-bit-length-prefixed frames), then the frame(s).

Usage: /usr/bin/python3 fuzz/decode/make-corpus.py [SHARED_DIR]   (default /work/shared)
Files the fuzzer found are kept (crash-* and regress-*: crashers; fuzz-*: inputs that
added coverage, from libFuzzer -merge=1); everything else is rewritten.
"""
import hashlib
import os
import struct
import sys

from scapy.all import (ARP, GRE, ICMP, IP, TCP, UDP, Ether, ICMPv6EchoRequest, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Dot1Q, Dot1AD, PPPoE, PPP, Raw, fragment,
                       fragment6, rdpcap, raw)

# Index into fuzz-decode.c's links[] table.
L_ETH, L_RAW, L_RAW12, L_IPV4, L_IPV6, L_SLL, L_SLL2, L_NULL, L_CHDLC = range(9)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'decode')


def write(name, link, frame):
    data = bytes([link]) + bytes(frame)
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def write_multi(name, link, frames):
    data = bytes([0x80 | link])
    for fr in frames:
        fr = bytes(fr)
        data += struct.pack('>H', len(fr)) + fr
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def lab(shared):
    """Per capture: every distinct packet shape (layers, TCP flags, ICMP type), then
    evenly spaced packets up to 25 frames."""
    pcaps = os.path.join(shared, 'data', 'lab', 'pcap')
    for fn in sorted(os.listdir(pcaps)):
        pkts = rdpcap(os.path.join(pcaps, fn), count=4000)
        seen = set()
        picked = []
        for i, p in enumerate(pkts):
            shape = tuple(l.__name__ for l in p.layers())
            if TCP in p:
                shape += (str(p[TCP].flags),)
            if ICMP in p:
                shape += (p[ICMP].type,)
            if shape not in seen:
                seen.add(shape)
                picked.append(i)
        step = max(1, len(pkts) // 25)
        for i in range(0, len(pkts), step):
            if len(picked) >= 25:
                break
            if i not in picked:
                picked.append(i)
        for n, i in enumerate(sorted(picked)[:40]):
            write('lab-%s-%02d' % (fn[:-5], n), L_ETH, raw(pkts[i]))


def built():
    mac = dict(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
    tcp = IP(src='10.1.0.1', dst='10.1.0.2') / TCP(sport=1234, dport=80, flags='S',
            options=[('MSS', 1460), ('SAckOK', b''), ('Timestamp', (1, 0)), ('NOP', None), ('WScale', 7)])
    udp = IP(src='10.1.0.1', dst='10.1.0.2') / UDP(sport=53, dport=53) / Raw(b'\x12\x34' + b'\0' * 10)
    tcp6 = IPv6(src='fd00::1', dst='fd00::2') / TCP(sport=1, dport=22, flags='S')
    inner = Ether(**mac) / IP(src='192.168.10.1', dst='192.168.10.2') / TCP(dport=443, flags='S')
    outer = Ether(**mac) / IP(src='10.98.0.1', dst='10.98.0.2')

    frames = {
        'qinq': Ether(**mac) / Dot1AD(vlan=100) / Dot1Q(vlan=200) / tcp,
        'vlan3': Ether(**mac) / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / udp,
        'vxlan': outer / UDP(sport=5555, dport=4789) / bytes.fromhex('0800000000100100') / inner,
        'geneve-opts': outer / UDP(sport=5555, dport=6081) /
            bytes.fromhex('0300655800200200' '01020380' 'aabbccdd' '01020401' 'aabbccdd11223344') / inner,
        'geneve-badopt': outer / UDP(sport=5555, dport=6081) /
            bytes.fromhex('0100655800200200' '0102031f') / inner,
        'gre-key': outer / GRE(key_present=1, key=0x1234, proto=0x0800) / tcp,
        'gre-csum-seq': outer / GRE(chksum_present=1, seqnum_present=1, seqence_number=7, proto=0x86dd) / tcp6,
        'gre-teb': outer / GRE(key_present=1, key=77, proto=0x6558) / inner,
        'erspan2': outer / GRE(seqnum_present=1, proto=0x88be) /
            bytes.fromhex('100a0064' '00000001') / inner,
        'erspan3': outer / GRE(seqnum_present=1, proto=0x22eb) /
            bytes.fromhex('200a0065' '11223344' '00000000') / inner,
        'erspan3-sub': outer / GRE(seqnum_present=1, proto=0x22eb) /
            (bytes.fromhex('200a0065' '11223344' '00000001') + bytes(8) + raw(inner)),
        'pptp': outer / bytes.fromhex('3081880b00280001' '00000001') / bytes.fromhex('ff030021') / tcp,
        'mpls-ip': Ether(**mac, type=0x8847) / bytes.fromhex('00064140' '00065140') / tcp,
        'mpls-pw': Ether(**mac, type=0x8847) / bytes.fromhex('00065140' '00000000') / inner,
        'mpls-v6null': Ether(**mac, type=0x8847) / bytes.fromhex('00002140') / tcp6,
        'pppoe': Ether(**mac) / PPPoE(sessionid=0x11) / PPP(proto=0x0021) / tcp,
        'pppoe6': Ether(**mac) / PPPoE(sessionid=0x12) / PPP(proto=0x0057) / tcp6,
        'pppoe-disc': Ether(**mac, type=0x8863) / bytes.fromhex('1109000000040101000000'),
        'nsh': Ether(**mac, type=0x894f) / (bytes.fromhex('0006010100000aff') + bytes(16) + raw(udp)),
        'ipip': outer / IP(src='10.2.0.1', dst='10.2.0.2') / ICMP(),
        '6in4': outer / tcp6,
        'ipv4-opts': Ether(**mac) / IP(src='10.1.0.1', dst='10.1.0.2',
            options=b'\x94\x04\x00\x00\x07\x07\x04\x00\x00\x00\x00\x01') / ICMP(),
        'ipv6-ext': Ether(**mac) / IPv6(src='fd00::1', dst='fd00::2') / IPv6ExtHdrHopByHop() /
            IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() / ICMPv6EchoRequest(),
        'ipv6-atomic-frag': Ether(**mac) / IPv6(src='fd00::1', dst='fd00::2') / IPv6ExtHdrFragment(id=9) /
            UDP(dport=7),
        'tcp-synfin': Ether(**mac) / IP(src='10.1.0.1', dst='10.1.0.2') / TCP(flags='SF'),
        'tcp-badopt': Ether(**mac) / IP(src='10.1.0.1', dst='10.1.0.2') /
            TCP(flags='S', dataofs=7, options=[('NOP', None)]) / b'\x02\x09\x05\xb4\x01\x01\x01\x01',
        'arp': Ether(**mac) / ARP(),
    }
    for name, f in frames.items():
        write('built-' + name, L_ETH, raw(f))

    # Other link types.
    ip4 = raw(tcp)
    write('link-raw4', L_RAW, ip4)
    write('link-raw6', L_RAW12, raw(tcp6))
    write('link-ipv4', L_IPV4, ip4)
    write('link-ipv6', L_IPV6, raw(tcp6))
    write('link-sll', L_SLL, struct.pack('>HHH8sH', 0, 1, 6, b'\x02' * 8, 0x0800) + ip4)
    write('link-sll2', L_SLL2, struct.pack('>HHIHBB8s', 0x86dd, 0, 2, 1, 0, 6, b'\x02' * 8) + raw(tcp6))
    write('link-null-le', L_NULL, struct.pack('<I', 2) + ip4)
    write('link-null-be6', L_NULL, struct.pack('>I', 30) + raw(tcp6))
    write('link-chdlc', L_CHDLC, b'\x0f\x00\x08\x00' + ip4)

    # Fragment series (multi-frame inputs).
    big = IP(src='10.1.0.1', dst='10.1.0.2', id=0x4242) / UDP(sport=1, dport=2) / Raw(b'A' * 120)
    fr = [Ether(**mac) / f for f in fragment(big, fragsize=32)]
    write_multi('frag4-inorder', L_ETH, [raw(f) for f in fr])
    write_multi('frag4-reverse', L_ETH, [raw(f) for f in reversed(fr)])
    write_multi('frag4-dup', L_ETH, [raw(f) for f in fr[:2] + fr])
    ov = IP(src='10.1.0.1', dst='10.1.0.2', id=7, flags='MF', frag=1, proto=17) / Raw(b'B' * 24)
    write_multi('frag4-overlap', L_ETH, [raw(fr[0]), raw(Ether(**mac) / ov)] + [raw(f) for f in fr[1:]])
    big6 = IPv6(src='fd00::1', dst='fd00::2') / IPv6ExtHdrFragment(id=0x99) / UDP(sport=1, dport=2) / Raw(b'C' * 200)
    fr6 = [Ether(**mac) / f for f in fragment6(big6, 100)]
    write_multi('frag6-inorder', L_ETH, [raw(f) for f in fr6])
    write_multi('frag6-reverse', L_ETH, [raw(f) for f in reversed(fr6)])
    vx = [outer / UDP(sport=5, dport=4789) / bytes.fromhex('0800000000100100') / Ether(**mac) / f
          for f in fragment(big, fragsize=48)]
    write_multi('frag4-in-vxlan', L_ETH, [raw(f) for f in vx])


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else '/work/shared'
    os.makedirs(OUT, exist_ok=True)
    for fn in os.listdir(OUT):
        if not fn.startswith(('crash-', 'regress-', 'fuzz-')):
            os.unlink(os.path.join(OUT, fn))
    lab(shared)
    built()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print('%d files, %d bytes in %s' % (len(os.listdir(OUT)), total, OUT))


if __name__ == '__main__':
    main()
