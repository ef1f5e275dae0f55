#!/usr/bin/python3
"""bench.py — the measurements of bench/packets/run.sh (which builds and generates first).

Rates are given two ways: per CPU second (user+sys of the process, from wait4: robust on a
shared, loaded machine) and per wall-clock second. Runs alternate between the programs so
that they see the same machine load. Ratios are vigil ÷ bare loop. Memory is the peak
resident set (ru_maxrss from wait4) of the whole process."""
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import time

SRC = os.environ["SRC"]
BUILD = os.environ["BUILD"]
WORK = os.environ["WORK"]
MIX = os.environ["MIX"]
FL = os.environ["FL"]
PACKETS = int(os.environ.get("PACKETS", "5000000"))
FLOWS = int(os.environ.get("FLOWS", "1000000"))
RUNS = int(os.environ.get("RUNS", "3"))
VIGIL = os.path.join(BUILD, "src/cli/vigil")
LOOP = os.path.join(BUILD, "bench/packets/pcap-loop")
CORE_CFG = os.path.join(WORK, "core-only.yaml")


def run(cmd, stdout=subprocess.DEVNULL):
    """Run cmd; returns (returncode, wall s, cpu s, maxrss KiB, stdout text or None)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    out = p.stdout.read().decode() if stdout == subprocess.PIPE else None
    err = p.stderr.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), rc, err[-2000:]))
    return rc, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, out


# What each complete instance of a lab capture must raise (the lab README's table; the
# VXLAN capture holds one scan, on VNI 1001); the other captures must raise nothing.
EXPECT = {
    "scan-syn.pcap": "VIGIL SCAN TCP SYN port scan",
    "scan-ipv6.pcap": "VIGIL SCAN TCP SYN port scan",
    "tenants-vxlan.pcap": "VIGIL SCAN TCP SYN port scan",
    "scan-connect.pcap": "VIGIL SCAN TCP connect port scan",
    "scan-fin.pcap": "VIGIL SCAN TCP FIN port scan",
    "scan-null.pcap": "VIGIL SCAN TCP NULL port scan",
    "scan-xmas.pcap": "VIGIL SCAN TCP XMAS port scan",
    "scan-udp.pcap": "VIGIL SCAN UDP port scan",
    "sweep-horizontal.pcap": "VIGIL SCAN TCP SYN sweep",
    "flood-syn.pcap": "VIGIL DOS SYN flood",
    "flood-udp.pcap": "VIGIL DOS UDP flood",
    "flood-icmp.pcap": "VIGIL DOS ICMP flood",
}


def expected_alerts():
    """{signature: (complete instances, all instances)} from pktgen's report."""
    exp = collections.defaultdict(lambda: [0, 0])
    path = MIX + ".instances"
    if not os.path.exists(path):
        return None
    for line in open(path):
        m = re.match(r"pktgen: (\S+) +(\d+) instances, +(\d+) complete", line)
        if m and m.group(1) in EXPECT:
            e = exp[EXPECT[m.group(1)]]
            e[0] += int(m.group(3))
            e[1] += int(m.group(2))
    return exp


def fmt(x):
    return "{:,.0f}".format(x)


def main():
    with open(CORE_CFG, "w") as f:
        f.write("# decode + flow + scan + flood only: no TCP reassembly, no app-layer parsers\n"
                "app-layer:\n  enabled: false\n")
    progs = {
        "loop": [LOOP, MIX],
        "loop-buf": [LOOP, "-b", MIX],
        "loop-disp": [LOOP, "-d", MIX],
        "vigil": [VIGIL, "analyze", "--no-summary", "--no-progress", "-o", "/dev/null", MIX],
        "vigil-core": [VIGIL, "analyze", "--no-summary", "--no-progress", "-c", CORE_CFG,
                       "--types", "stats", "-o", "/dev/null", MIX],
        # the same on one thread: reading and decoding not handed to a second thread
        "vigil-core-1t": [VIGIL, "analyze", "--threads", "1", "--no-summary", "--no-progress",
                          "-c", CORE_CFG, "--types", "stats", "-o", "/dev/null", MIX],
    }
    res = {"packets": PACKETS, "flows": FLOWS, "runs": RUNS, "ncpu": os.cpu_count(),
           "loadavg_start": os.getloadavg(), "input": MIX,
           "input_bytes": os.path.getsize(MIX), "programs": {}}
    samples = collections.defaultdict(list)
    # warm the page cache so every program reads the file from memory
    run([LOOP, MIX])
    for r in range(RUNS):
        for name, cmd in progs.items():
            _, w, c, rss, _ = run(cmd)
            samples[name].append((w, c, rss))
            print("run %d %-10s wall %6.2f s cpu %6.2f s rss %7d KiB" % (r + 1, name, w, c, rss),
                  file=sys.stderr)
    for name, s in samples.items():
        w = statistics.median(x[0] for x in s)
        c = statistics.median(x[1] for x in s)
        res["programs"][name] = dict(wall=w, cpu=c, pps_cpu=PACKETS / c, pps_wall=PACKETS / w,
                                     maxrss_kib=max(x[2] for x in s), cmd=progs[name])
    # Ratios against the bare loop as specified (libpcap's default stdio buffering), and
    # against the same loop reading through the 1 MiB buffer vigil uses: how much of the
    # ratio is vigil's own work rather than its cheaper reading.
    # ... and against the cheapest libpcap loop (that buffer, no stdio locking, pcap_dispatch
    # instead of a pcap_next_ex call per packet: how vigil's reader calls libpcap).
    lp = res["programs"]["loop"]
    lb = res["programs"]["loop-buf"]
    ld = res["programs"]["loop-disp"]
    for name in ("loop-buf", "loop-disp", "vigil", "vigil-core", "vigil-core-1t"):
        v = res["programs"][name]
        v["ratio_cpu"] = v["pps_cpu"] / lp["pps_cpu"]
        v["ratio_wall"] = v["pps_wall"] / lp["pps_wall"]
        v["ratio_cpu_buf"] = v["pps_cpu"] / lb["pps_cpu"]
        v["ratio_cpu_disp"] = v["pps_cpu"] / ld["pps_cpu"]
        v["ratio_wall_disp"] = v["pps_wall"] / ld["pps_wall"]

    # What the full pipeline found on the mix (once, events streamed through a pipe:
    # this process stays small, since a child's max RSS counts what it shares with us
    # before exec).
    p = subprocess.Popen([VIGIL, "analyze", "--no-summary", "--no-progress", "--types",
                          "flow,stats", "-o", "-", MIX], stdout=subprocess.PIPE)
    sigs = collections.Counter()
    nflows = 0
    stats = {}
    for line in p.stdout:
        if b'"event_type":"flow"' in line:
            nflows += 1
            continue
        e = json.loads(line)
        t = e.get("event_type")
        if t == "alert":
            sigs[e["alert"]["signature"]] += 1
        elif t == "stats":
            stats = e["stats"]
    if p.wait() != 0:
        sys.exit("bench: vigil analyze (validation run) failed")
    res["mix_alerts"] = dict(sigs)
    exp = expected_alerts()
    res["mix_expected"] = {k: v for k, v in exp.items()} if exp is not None else None
    res["mix_flows"] = nflows
    res["mix_decoded"] = stats.get("decoder", {}).get("pkts")

    # 1M concurrent flows: peak memory, full pipeline and core only; then prove that
    # every flow was open at the end (reason "shutdown") and none was refused.
    mem = {}
    for name, extra in (("vigil", []), ("vigil-core", ["-c", CORE_CFG, "--types", "stats"])):
        _, w, c, rss, _ = run([VIGIL, "analyze", "--no-summary", "--no-progress", "-o",
                               "/dev/null"] + extra + [FL])
        mem[name] = dict(maxrss_kib=rss, maxrss_mib=rss / 1024.0, wall=w, cpu=c)
        print("flows %-10s wall %6.2f s cpu %6.2f s rss %7d KiB" % (name, w, c, rss),
              file=sys.stderr)
    p = subprocess.Popen([VIGIL, "analyze", "--no-summary", "--no-progress", "-c", CORE_CFG,
                          "--types", "flow,stats", "-o", "-", FL], stdout=subprocess.PIPE)
    shutdown = refused = other = 0
    for line in p.stdout:
        if b'"event_type":"flow"' in line:
            if b'"reason":"shutdown"' in line:
                shutdown += 1
            else:
                other += 1
        elif b'"event_type":"stats"' in line:
            refused = json.loads(line)["stats"]["flow"]["dropped_memcap"]
    p.wait()
    res["flows_mem"] = mem
    res["flows_open_at_end"] = shutdown
    res["flows_ended_before"] = other
    res["flows_refused"] = refused
    res["loadavg_end"] = os.getloadavg()
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(res, f, indent=1)

    print("\n| program (input: %s packets, %.0f MB) | CPU s | wall s | packets/s per CPU s "
          "| packets/s wall | ÷ bare loop (CPU) | ÷ bare loop (wall) | max RSS MiB |" %
          (fmt(PACKETS), res["input_bytes"] / 1e6))
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    labels = {"loop": "bare libpcap loop (`pcap-loop`)",
              "loop-buf": "bare libpcap loop, 1 MiB stdio buffer (`pcap-loop -b`)",
              "loop-disp": "the same with pcap_dispatch, no stdio locks (`pcap-loop -d`)",
              "vigil": "`vigil analyze` (everything, events to /dev/null)",
              "vigil-core": "`vigil analyze` decode + flow + scan + flood (app layer off)",
              "vigil-core-1t": "the same, `--threads 1` (no reader thread)"}
    for name in ("loop", "loop-buf", "loop-disp", "vigil", "vigil-core", "vigil-core-1t"):
        v = res["programs"][name]
        print("| %s | %.2f | %.2f | %s | %s | %s | %s | %.0f |" % (
            labels[name], v["cpu"], v["wall"], fmt(v["pps_cpu"]), fmt(v["pps_wall"]),
            "%.3f×" % v["ratio_cpu"] if "ratio_cpu" in v else "1",
            "%.3f×" % v["ratio_wall"] if "ratio_wall" in v else "1", v["maxrss_kib"] / 1024))
    print("\nagainst the buffered loop (CPU): " + ", ".join(
        "%s %.3f×" % (n, res["programs"][n]["ratio_cpu_buf"])
        for n in ("vigil", "vigil-core", "vigil-core-1t")))
    print("against the dispatch loop (CPU / wall): " + ", ".join(
        "%s %.3f× / %.3f×" % (n, res["programs"][n]["ratio_cpu_disp"],
                              res["programs"][n]["ratio_wall_disp"])
        for n in ("vigil", "vigil-core", "vigil-core-1t")))
    print("\nmix: %s packets decoded, %s flow records, alerts: %s" % (
        res["mix_decoded"], fmt(nflows),
        ", ".join("%s %d" % kv for kv in sorted(sigs.items())) or "none"))
    if exp is not None:
        print("\n| alert on the mix | expected (complete instances .. all) | found |")
        print("| --- | ---: | ---: |")
        for sig in sorted(set(exp) | set(sigs)):
            lo, hi = exp.get(sig, (0, 0))
            mark = "" if lo <= sigs.get(sig, 0) <= hi else " **(mismatch)**"
            print("| %s | %s | %d%s |" % (sig, "%d" % lo if lo == hi else "%d .. %d" % (lo, hi),
                                         sigs.get(sig, 0), mark))
    print("\n| %s concurrent flows | max RSS MiB | CPU s | wall s |" % fmt(FLOWS))
    print("| --- | ---: | ---: | ---: |")
    for name in ("vigil", "vigil-core"):
        m = mem[name]
        print("| %s | %.0f | %.2f | %.2f |" % (labels[name], m["maxrss_mib"], m["cpu"], m["wall"]))
    print("\nflows open at end of input: %d of %d (ended earlier: %d, refused: %d); "
          "load average %s -> %s" % (shutdown, FLOWS, other, refused,
                                    "%.1f" % res["loadavg_start"][0],
                                    "%.1f" % res["loadavg_end"][0]))


if __name__ == "__main__":
    main()
