#!/usr/bin/python3
"""ab.py — compare vigil binaries on the packet path's core run, interleaved.

    bench/packets/ab.py RUNS VIGIL_A VIGIL_B ...

Runs `VIGIL analyze --no-summary --no-progress -c CORE_CFG --types stats -o /dev/null MIX`
for each binary in turn, RUNS rounds, and prints each binary's median CPU seconds
(user+sys from wait4) and every run's figure. Interleaving gives every binary the same
machine load, which is what makes a before/after comparison on a shared machine mean
something. MIX and CORE_CFG default to bench/packets/run.sh's files under
/tmp/vigil-bench-packets (environment WORK, MIX, CORE_CFG override)."""
import os
import statistics
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    work = os.environ.get("WORK", "/tmp/vigil-bench-packets")
    mix = os.environ.get("MIX", os.path.join(work, "mix-5000000-s1.pcap"))
    cfg = os.environ.get("CORE_CFG", os.path.join(work, "core-only.yaml"))
    runs = int(sys.argv[1])
    bins = sys.argv[2:]
    res = {b: [] for b in bins}
    for _ in range(runs):
        for b in bins:
            pid = os.fork()
            if pid == 0:
                fd = os.open("/dev/null", os.O_WRONLY)
                os.dup2(fd, 1)
                os.dup2(fd, 2)
                os.execv(b, [b, "analyze", "--no-summary", "--no-progress", "-c", cfg,
                             "--types", "stats", "-o", "/dev/null", mix])
            _, status, ru = os.wait4(pid, 0)
            if status != 0:
                sys.exit("ab: %s failed (status %d)" % (b, status))
            res[b].append(ru.ru_utime + ru.ru_stime)
    for b in bins:
        print("%s median %.3f  runs %s" % (b, statistics.median(res[b]),
                                           " ".join("%.2f" % x for x in res[b])))


if __name__ == "__main__":
    main()
