"""Building test captures with scapy and running `vigil analyze --rules` over them:
one TCP connection from chunks of application bytes, and the rules run."""
import json
import os
import subprocess

BIN = os.environ.get("VIGIL_BIN", "vigil")
CLI, SRV = "10.0.0.5", "10.0.0.80"


def tcp_session(t, sport, dport, chunks, mss=1400, cli=CLI, srv=SRV):
    """Packets of one TCP connection starting at time t: handshake, chunks [(dir, bytes)]
    with dir 0 client to server (each split at mss), FIN both ways. Returns (packets,
    the time after the last one)."""
    from scapy.all import IP, TCP, Ether
    seq = [1000, 5000]
    pk = []

    def add(d, flags, pl=b""):
        nonlocal t
        src, dst, sp, dp = (cli, srv, sport, dport) if d == 0 else (srv, cli, dport, sport)
        p = Ether() / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags,
                                                 seq=seq[d], ack=seq[1 - d]) / pl
        p.time = t
        t += 0.001
        pk.append(p)
        seq[d] += len(pl) + (1 if ("S" in flags or "F" in flags) else 0)

    seq[0] -= 1
    add(0, "S")
    seq[1] -= 1
    add(1, "SA")
    add(0, "A")
    for d, data in chunks:
        for off in range(0, len(data), mss):
            add(d, "PA", data[off:off + mss])
    add(0, "FA")
    add(1, "FA")
    add(0, "A")
    return pk, t


def analyze_rules(tmp_path, pcap, rules):
    """`vigil analyze --rules` (rules written to a file) over pcap; (events, stderr)."""
    rf = tmp_path / "t.rules"
    rf.write_text("\n".join(rules) + "\n")
    p = subprocess.run([BIN, "analyze", "--no-summary", "--rules", str(rf), str(pcap)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    return [json.loads(line) for line in p.stdout.splitlines()], p.stderr
