#!/usr/bin/python3
"""bench.py — the measurements of bench/logs/run.sh (which installs and builds first).

Rates are given two ways: per CPU second (user+sys of the process and its threads, from
wait4: "lines/s per core", robust on a shared, loaded machine) and per wall-clock second.
Ratios compare per-core rates. Every tool reads the same generated file; CrowdSec gets its
first CS_LINES lines (it runs at a few thousand lines/s). Detection is compared too: the
sources each tool flags for SSH brute force, against the generator's list of attackers."""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

SRC = os.environ["SRC"]
BUILD = os.environ["BUILD"]
WORK = os.environ["WORK"]
LINES = int(os.environ.get("LINES", "1000000"))
RUNS = int(os.environ.get("RUNS", "3"))
CS_LINES = int(os.environ.get("CS_LINES", "100000"))
TCP_N = int(os.environ.get("TCP_N", "1000000"))
CS_PORT = int(os.environ.get("CS_PORT", "18089"))
VIGIL = os.path.join(BUILD, "src/cli/vigil")
SENDER = os.path.join(BUILD, "bench/syslog-send")
LOG = os.path.join(WORK, "auth-%d.log" % LINES)
TRUTH = os.path.join(WORK, "attackers-%d.txt" % LINES)


def run(cmd, stdin=None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """Run cmd; returns (returncode, wall seconds, cpu seconds)."""
    fin = open(stdin, "rb") if stdin else None
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=fin, stdout=stdout, stderr=stderr)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if fin:
        fin.close()
    return p.returncode, wall, ru.ru_utime + ru.ru_stime


def median_runs(cmd, n, all_cpu=False, **kw):
    walls, cpus = [], []
    for _ in range(n):
        rc, w, c = run(cmd, **kw)
        walls.append(w)
        cpus.append(c)
    if all_cpu:
        return rc, statistics.median(walls), statistics.median(cpus), cpus
    return rc, statistics.median(walls), statistics.median(cpus)


def fmt_rate(x):
    return "{:,.0f}".format(x)


def main():
    if not os.path.exists(LOG) or not os.path.exists(TRUTH):
        print("generating %s ..." % LOG, file=sys.stderr)
        subprocess.run(["/usr/bin/python3", os.path.join(SRC, "bench/logs/gen-authlog.py"),
                        "--lines", str(LINES), "--truth", TRUTH, LOG], check=True)
    truth = set(open(TRUTH).read().split())
    load = os.getloadavg()
    res = {"lines": LINES, "runs": RUNS, "loadavg_start": load, "ncpu": os.cpu_count()}

    # --- vigil logscan -----------------------------------------------------------------
    out = os.path.join(WORK, "vigil-alerts.json")
    rc, w, c, vcpus = median_runs([VIGIL, "logscan", "--no-summary", "-o", out, LOG], RUNS,
                                  all_cpu=True)
    res["vigil_runs_cpu"] = vcpus
    assert rc in (0, 1), "vigil logscan failed"
    flagged = set()
    n_alerts = 0
    for line in open(out):
        a = json.loads(line)
        n_alerts += 1
        if a.get("alert", {}).get("signature") == "SSH brute force from one source":
            flagged.add(a.get("src_ip"))
    res["vigil"] = dict(wall=w, cpu=c, rate_cpu=LINES / c, rate_wall=LINES / w,
                        alerts=n_alerts, flagged=len(flagged), tp=len(flagged & truth),
                        fp=len(flagged - truth))

    # --- fail2ban-regex (sshd filter) ---------------------------------------------------
    # median of RUNS, like vigil's: the ratio is between two medians of the same run
    f2b_out = os.path.join(WORK, "fail2ban-regex.txt")
    walls, cpus = [], []
    for _ in range(RUNS):
        with open(f2b_out, "w") as fo:
            rc, w, c = run(["fail2ban-regex", LOG, "sshd"], stdout=fo)
        walls.append(w)
        cpus.append(c)
    w, c = statistics.median(walls), statistics.median(cpus)
    res["fail2ban_runs_cpu"] = cpus
    txt = open(f2b_out).read()
    m = re.search(r"Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed", txt)
    res["fail2ban"] = dict(wall=w, cpu=c, rate_cpu=LINES / c, rate_wall=LINES / w,
                           matched=int(m.group(3)) if m else None, rc=rc)

    # --- sshguard's parser ----------------------------------------------------------------
    sg_out = os.path.join(WORK, "sshg-parser.txt")
    walls, cpus = [], []
    for _ in range(RUNS):
        with open(sg_out, "w") as fo:
            rc, w, c = run(["/usr/libexec/sshguard/sshg-parser"], stdin=LOG, stdout=fo)
        walls.append(w)
        cpus.append(c)
    w, c = statistics.median(walls), statistics.median(cpus)
    score = {}
    attacks = 0
    for line in open(sg_out):
        f = line.split()
        if len(f) >= 4:
            attacks += 1
            score[f[1]] = score.get(f[1], 0) + int(f[3])
    sg_flag = {ip for ip, s in score.items() if s >= 30}  # sshguard's default threshold
    res["sshguard"] = dict(wall=w, cpu=c, rate_cpu=LINES / c, rate_wall=LINES / w,
                           attacks=attacks, flagged=len(sg_flag), tp=len(sg_flag & truth),
                           fp=len(sg_flag - truth))

    # --- CrowdSec (offline replay of a file) ------------------------------------------
    res["crowdsec"] = crowdsec(truth)

    # --- vigil on CrowdSec's prefix, for the same-input ratio ------------------------------
    prefix = os.path.join(WORK, "auth-prefix-%d.log" % CS_LINES)
    rc, w, c = median_runs([VIGIL, "logscan", "--no-summary", "-o", os.devnull, prefix], RUNS)
    res["vigil_prefix"] = dict(wall=w, cpu=c, rate_cpu=CS_LINES / c, rate_wall=CS_LINES / w)

    # --- syslog over TCP into logwatch ----------------------------------------------------
    res["tcp"] = [tcp_run(rules) for rules in (True, False)]
    res["loadavg_end"] = os.getloadavg()
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    report(res)


def crowdsec(truth):
    d = os.path.join(WORK, "crowdsec")
    os.makedirs(d, exist_ok=True)
    prefix = os.path.join(WORK, "auth-prefix-%d.log" % CS_LINES)
    with open(LOG) as fi, open(prefix, "w") as fo:
        for i, line in enumerate(fi):
            if i >= CS_LINES:
                break
            fo.write(line)
    for f in os.listdir(d):
        os.unlink(os.path.join(d, f))
    cfg = open("/etc/crowdsec/config.yaml").read()
    cfg = cfg.replace("log_dir: /var/log/", "log_dir: %s/" % d)
    cfg = cfg.replace("daemonize: true", "daemonize: false")
    cfg = re.sub(r"db_path: .*", "db_path: %s/crowdsec.db" % d, cfg)
    cfg = cfg.replace("credentials_path: /etc/crowdsec/local_api_credentials.yaml",
                      "credentials_path: %s/lapi.yaml" % d)
    cfg = cfg.replace("listen_uri: 127.0.0.1:8080", "listen_uri: 127.0.0.1:%d" % CS_PORT)
    cfg = re.sub(r"\n\s*online_client:.*\n\s*credentials_path: .*online_api_credentials.yaml",
                 "", cfg)
    cfg = re.sub(r"(prometheus:\s*\n\s*enabled:) true", r"\1 false", cfg)
    conf = os.path.join(d, "config.yaml")
    open(conf, "w").write(cfg)
    subprocess.run(["cscli", "-c", conf, "machines", "add", "bench", "--auto", "-f",
                    os.path.join(d, "lapi.yaml"), "-u", "http://127.0.0.1:%d" % CS_PORT],
                   check=True, capture_output=True)
    logf = os.path.join(d, "run.log")
    fo = open(logf, "w")
    t0 = time.monotonic()
    p = subprocess.Popen(["crowdsec", "-c", conf, "-dsn", "file://" + prefix, "-type", "syslog"],
                         stdout=fo, stderr=fo)
    # replay mode reads the file, then does not always exit: stop it once it says so
    done = None
    ru = None
    while time.monotonic() - t0 < 3600:
        pid, _, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        ru = None
        if "Acquisition is finished" in open(logf).read():
            if done is None:
                done = time.monotonic()
            if time.monotonic() - done > 3:  # let the buckets and outputs finish
                p.send_signal(signal.SIGTERM)
                _, _, ru = os.wait4(p.pid, 0)
                break
        time.sleep(0.5)
    if ru is None:
        p.kill()
        _, _, ru = os.wait4(p.pid, 0)
    p.returncode = 0  # reaped above
    fo.close()
    txt = open(logf).read()
    ts = lambda pat: re.search(r'time="([^"]+)"[^\n]*' + pat, txt)
    start, end = ts("Starting processing data"), ts("Acquisition is finished")
    parse = lambda m: time.mktime(time.strptime(m.group(1), "%d-%m-%Y %H:%M:%S"))
    proc_wall = parse(end) - parse(start) if start and end else None
    cpu = ru.ru_utime + ru.ru_stime if ru else None
    bf = set(re.findall(r"Ip (\S+) performed 'crowdsecurity/ssh-(?:slow-)?bf'", txt))
    in_prefix = set()
    for line in open(prefix):
        for a in re.findall(r"from (\S+) port", line):
            in_prefix.add(a)
    t = truth & in_prefix
    return dict(lines=CS_LINES, processing_wall=proc_wall, cpu_total=cpu,
                rate_cpu=CS_LINES / cpu if cpu else None,
                rate_wall=CS_LINES / proc_wall if proc_wall else None,
                flagged=len(bf), tp=len(bf & t), fp=len(bf - truth), attackers_in_prefix=len(t))


def tcp_run(rules):
    out = os.path.join(WORK, "logwatch-alerts.json")
    errf = os.path.join(WORK, "logwatch.err")
    ef = open(errf, "w")
    args = [VIGIL, "logwatch", "--listen", "tcp://127.0.0.1:0", "--max-messages", str(TCP_N),
            "-o", out] + ([] if rules else ["--no-rules"])
    if os.path.exists(out):
        os.unlink(out)
    t0 = time.monotonic()
    p = subprocess.Popen(args, stderr=ef)
    port = None
    while port is None and time.monotonic() - t0 < 10:
        m = re.search(r"listening on tcp 127\.0\.0\.1:(\d+)", open(errf).read())
        port = int(m.group(1)) if m else None
        time.sleep(0.05)
    s = subprocess.run([SENDER, "127.0.0.1", str(port), str(TCP_N), "octet", LOG],
                       capture_output=True, text=True, check=True)
    _, status, ru = os.wait4(p.pid, 0)
    ef.close()
    sent = dict(kv.split("=") for kv in s.stdout.split())
    err = open(errf).read()
    st = json.loads(err.split("logwatch: stats ")[-1])
    alerts = sum(1 for _ in open(out)) if os.path.exists(out) else 0
    return dict(rules=rules, sent=int(sent["sent"]), seconds=float(sent["seconds"]),
                received=st["received"]["messages"], dropped=st["queue"]["dropped"],
                backpressure=st["received"]["backpressure"], alerts=alerts,
                cpu=ru.ru_utime + ru.ru_stime,
                rate_wall=int(sent["sent"]) / float(sent["seconds"]),
                rate_cpu=st["received"]["messages"] / (ru.ru_utime + ru.ru_stime))


def report(r):
    v, f, s, c, vp = r["vigil"], r["fail2ban"], r["sshguard"], r["crowdsec"], r["vigil_prefix"]
    L = []
    L.append("load average at start %.1f / end %.1f on %d CPUs"
             % (r["loadavg_start"][0], r["loadavg_end"][0], r["ncpu"]))
    L.append("CPU s of each run: vigil %s; fail2ban-regex %s"
             % (", ".join("%.2f" % x for x in r["vigil_runs_cpu"]),
                ", ".join("%.2f" % x for x in r["fail2ban_runs_cpu"])))
    L.append("")
    L.append("| tool (same detection: SSH brute force per source) | input lines | CPU s | wall s "
             "| lines/s per core | lines/s wall | vigil ÷ tool (per core) | sources flagged (true / false) |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    L.append("| vigil logscan (median of %d) | %d | %.2f | %.2f | %s | %s | 1 | %d (%d / %d), %d alerts |"
             % (r["runs"], r["lines"], v["cpu"], v["wall"], fmt_rate(v["rate_cpu"]),
                fmt_rate(v["rate_wall"]), v["flagged"], v["tp"], v["fp"], v["alerts"]))
    L.append("| fail2ban-regex FILE sshd (median of %d) | %d | %.2f | %.2f | %s | %s | %.1f× | %s lines matched (no per-source count) |"
             % (r["runs"], r["lines"], f["cpu"], f["wall"], fmt_rate(f["rate_cpu"]), fmt_rate(f["rate_wall"]),
                v["rate_cpu"] / f["rate_cpu"], f["matched"]))
    L.append("| sshguard sshg-parser (median of %d) | %d | %.2f | %.2f | %s | %s | %.1f× | %d attack lines; %d (%d / %d) sources reach score 30 over the whole file (the parser has no time window) |"
             % (r["runs"], r["lines"], s["cpu"], s["wall"], fmt_rate(s["rate_cpu"]),
                fmt_rate(s["rate_wall"]), v["rate_cpu"] / s["rate_cpu"], s["attacks"],
                s["flagged"], s["tp"], s["fp"]))
    if c.get("rate_cpu"):
        L.append("| crowdsec -dsn file://… -type syslog (sshd collection) | %d | %.2f (incl. start) | %s (processing) "
                 "| %s | %s | %.1f× (vigil on the same %d lines: %s/s) | %d (%d / %d) of %d attackers in those lines |"
                 % (c["lines"], c["cpu_total"], "%.0f" % c["processing_wall"] if c["processing_wall"] else "?",
                    fmt_rate(c["rate_cpu"]), fmt_rate(c["rate_wall"]) if c["rate_wall"] else "?",
                    vp["rate_cpu"] / c["rate_cpu"], c["lines"], fmt_rate(vp["rate_cpu"]),
                    c["flagged"], c["tp"], c["fp"], c["attackers_in_prefix"]))
    else:
        L.append("| crowdsec | %d | failed: see %s/crowdsec/run.log | | | | | |" % (c["lines"], WORK))
    L.append("")
    L.append("| syslog over TCP (loopback, octet counting) into vigil logwatch | sent | received | "
             "queue drops | backpressure pauses | msgs/s wall (sender) | msgs/s per core (logwatch CPU) | alerts |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for t in r["tcp"]:
        L.append("| %s | %d | %d | %d | %d | %s | %s | %d |"
                 % ("parsers + Sigma rules" if t["rules"] else "parsers only (--no-rules)",
                    t["sent"], t["received"], t["dropped"], t["backpressure"],
                    fmt_rate(t["rate_wall"]), fmt_rate(t["rate_cpu"]), t["alerts"]))
    text = "\n".join(L) + "\n"
    open(os.path.join(WORK, "results.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
