#!/usr/bin/python3
"""bench.py — signature engine benchmark (run through bench/sig/run.sh).

For each rule set (none, ET Open web rules, all of ET Open) it runs, in the same
session and alternating, `vigil analyze --rules ... CAPTURE -o /dev/null` RUNS times and
`vigil analyze --rules ... EMPTY` (a capture with no packet: the rule load alone) RUNS
times, with CPU time (user+sys) and peak RSS from wait4. It prints a Markdown table:
packets/s and Gbit/s per core of the whole run, the same after subtracting the load's
CPU time (the steady-state inspection rate), wall time, rule load time and the memory
the loaded rules add (peak RSS of the load minus that of the no-rules load)."""
import argparse
import glob
import json
import os
import statistics
import struct
import subprocess
import time


def run(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd[:4])}...: exit {status}: {err[-500:]}")
    return ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss / 1024.0, err


def pcap_stats(path):
    n = b = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        e = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            _, _, incl, orig = struct.unpack(e + "IIII", h)
            f.seek(incl, 1)
            n += 1
            b += orig
    return n, b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--capture", required=True)
    ap.add_argument("--et", required=True, help="ET Open rules directory")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp")
    a = ap.parse_args()

    empty = os.path.join(a.work, "empty.pcap")
    with open(empty, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    pkts, wire = pcap_stats(a.capture)
    allrules = sorted(glob.glob(os.path.join(a.et, "*.rules")))
    web = [p for p in allrules if os.path.basename(p).startswith("emerging-web_")]
    sets = [("no rules", []), (f"ET Open web ({', '.join(os.path.basename(p) for p in web)})", web),
            (f"all of ET Open ({len(allrules)} files)", allrules)]

    rows = []
    for name, files in sets:
        args = [x for p in files for x in ("--rules", p)]
        full, load = [], []
        loaded = ""
        for _ in range(a.runs):
            full.append(run([a.vigil, "analyze", "--no-summary", "-o", "/dev/null", *args, a.capture]))
            load.append(run([a.vigil, "analyze", "--no-summary", "-o", "/dev/null", *args, empty]))
            loaded = load[-1][3].strip()
        cpu = statistics.median(x[0] for x in full)
        wall = statistics.median(x[1] for x in full)
        rss = max(x[2] for x in full)
        lcpu = statistics.median(x[0] for x in load)
        lwall = statistics.median(x[1] for x in load)
        lrss = max(x[2] for x in load)
        insp = max(cpu - lcpu, 1e-9)
        rows.append({"set": name, "rules": loaded, "cpu_s": cpu, "wall_s": wall, "rss_mb": rss,
                     "load_cpu_s": lcpu, "load_wall_s": lwall, "load_rss_mb": lrss,
                     "pps_core": pkts / cpu, "gbps_core": wire * 8 / cpu / 1e9,
                     "pps_core_insp": pkts / insp, "gbps_core_insp": wire * 8 / insp / 1e9})
    base_rss = rows[0]["load_rss_mb"]
    print(f"capture: {a.capture}: {pkts} packets, {wire} bytes on the wire; median of {a.runs} runs\n")
    print("| rule set | CPU s | wall s | packets/s per core | Gbit/s per core | Gbit/s per core "
          "after load | rule load CPU s (wall) | memory of the loaded rules | peak RSS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['set']} | {r['cpu_s']:.2f} | {r['wall_s']:.2f} | {r['pps_core']:,.0f} | "
              f"{r['gbps_core']:.2f} | {r['gbps_core_insp']:.2f} | {r['load_cpu_s']:.2f} "
              f"({r['load_wall_s']:.2f}) | {r['load_rss_mb'] - base_rss:.0f} MB | {r['rss_mb']:.0f} MB |")
    print()
    for r in rows:
        if r["rules"]:
            print(f"- {r['set']}: {r['rules']}")
    with open(os.path.join(a.work, "bench-sig.json"), "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
