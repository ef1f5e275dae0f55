"""End-to-end tests of `vigil logscan` on the lab logs: exactly the expected alerts (and
no others), with their evidence; RFC 3164 and RFC 5424 copies agree; long lines, stdin,
--events, output formats, broken rules and the summary."""
import json
import os
import subprocess

import pytest

VIGIL = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
SRC = os.environ.get("VIGIL_SRC", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LOGS = os.path.join(SHARED, "data", "lab", "logs")
AUTH = os.path.join(LOGS, "auth-dev.log")
AUTH5424 = os.path.join(LOGS, "auth5424-dev.log")
NGINX = os.path.join(LOGS, "nginx-access-dev.log")

BRUTE = "SSH brute force from one source"
SAF = "SSH login success after failures from the same source"
USERS_TRIED = ["root", "admin", "test", "oracle", "ubuntu", "postgres"]


def run(args, stdin=None, env=None, check_rc=None):
    e = dict(os.environ)
    e.pop("VIGIL_RULES", None)
    if env:
        e.update(env)
    p = subprocess.run([VIGIL, "logscan"] + args, input=stdin, capture_output=True, env=e,
                       timeout=120)
    if check_rc is not None:
        assert p.returncode == check_rc, p.stderr.decode(errors="replace")
    return p


def records(p):
    return [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]


def alerts(p):
    return [r for r in records(p) if r.get("event_type") == "alert"]


def titles(al):
    return sorted(a["alert"]["signature"] for a in al)


def by_title(al, t):
    return [a for a in al if a["alert"]["signature"] == t]


def test_auth_dev_brute_force_and_success_after_failures():
    p = run([AUTH], check_rc=1)
    al = alerts(p)
    # Exactly these two: no spraying (6 users < 10), no distributed attack (one source),
    # no building-block rule, no per-line alert.
    assert titles(al) == sorted([BRUTE, SAF])
    bf = by_title(al, BRUTE)[0]
    assert bf["src_ip"] == "10.99.0.1"
    c = bf["correlation"]
    assert c["type"] == "event_count"
    assert c["group_by"] == {"source.ip": "10.99.0.1"}
    assert c["count"] == 8  # eight "Failed password" lines
    assert c["evidence"]["user.name"] == USERS_TRIED
    assert c["first"] == "2026-11-22T23:59:28.000000Z"
    assert c["last"] == "2026-11-22T23:59:30.000000Z"
    assert bf["alert"]["severity"] == 2

    saf = by_title(al, SAF)[0]
    assert saf["src_ip"] == "10.99.0.1"
    assert saf["log"]["user"] == "labuser"
    assert saf["alert"]["severity"] == 1  # level high
    assert saf["correlation"]["type"] == "temporal_ordered"
    assert saf["correlation"]["evidence"]["user.name"] == USERS_TRIED + ["labuser"]
    assert saf["timestamp"].startswith("2026-11-22T23:59:36")


def summarize(al):
    out = []
    for a in al:
        c = a.get("correlation", {})
        out.append((a["alert"]["signature"], a.get("src_ip"), a.get("log", {}).get("user"),
                    json.dumps(c.get("evidence"), sort_keys=True), c.get("count")))
    return sorted(out, key=str)


def test_auth5424_gives_the_same_alerts():
    a = alerts(run([AUTH], check_rc=1))
    b = alerts(run([AUTH5424], check_rc=1))
    assert summarize(a) == summarize(b)
    assert len(b) == 2


def test_nginx_web_attacks_by_kind_and_login_brute_force():
    p = run([NGINX], check_rc=1)
    al = alerts(p)
    expected = {
        "Web SQL injection attempt": 2,
        "Web cross-site scripting attempt": 1,
        "Web path traversal attempt": 2,
        "Web JNDI lookup (Log4Shell) attempt": 1,
        "Web command injection attempt": 1,
        "Web vulnerability scanner user agent": 1,
        "Web sensitive file probe": 2,
        "Web login brute force from one source": 1,
    }
    got = {}
    for a in al:
        got[a["alert"]["signature"]] = got.get(a["alert"]["signature"], 0) + 1
    assert got == expected
    assert all(a["src_ip"] == "10.99.0.1" for a in al)
    # Which line raised which per-request alert: none of the benign requests.
    kinds = {}
    for a in al:
        if "sigma" in a:
            kinds.setdefault(a["alert"]["signature"], []).append(a["url"]["original"])
    assert sorted(kinds["Web sensitive file probe"]) == ["/.env", "/wp-login.php"]
    assert sorted(kinds["Web path traversal attempt"]) == [
        "/../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fshadow"]
    assert kinds["Web command injection attempt"] == ["/cgi-bin/test.cgi?cmd=;cat%20/etc/passwd"]
    for urls in kinds.values():
        for u in urls:
            assert u not in ("/", "/health", "/login")
    bf = by_title(al, "Web login brute force from one source")[0]
    assert bf["correlation"]["count"] == 25
    assert bf["correlation"]["evidence"] == {"user.name": ["admin"], "url.path": ["/login"]}
    # No web scanning alert: 10 distinct failing paths are below its threshold (30).
    assert not by_title(al, "Web scanning from one source")


def test_benign_logs_raise_nothing(tmp_path):
    lines = [
        "Nov 22 10:00:00 vm sshd[100]: Accepted publickey for alice from 10.0.0.5 port 40000 ssh2: RSA SHA256:abc",
        "Nov 22 10:01:00 vm sshd[101]: Failed password for bob from 10.0.0.6 port 40001 ssh2",
        "Nov 22 10:01:05 vm sshd[101]: Accepted password for bob from 10.0.0.6 port 40001 ssh2",
        "Nov 22 10:02:00 vm sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update",
        "Nov 22 10:03:00 vm sshd[102]: Failed password for carol from 10.0.0.7 port 40002 ssh2",
        "Nov 22 10:03:09 vm sshd[102]: Failed password for carol from 10.0.0.7 port 40002 ssh2",
        "Nov 22 10:03:20 vm sshd[103]: Accepted password for carol from 10.0.0.7 port 40003 ssh2",
    ]
    web = ['10.0.0.9 - - [22/Nov/2026:10:00:0%d +0000] "GET /index.html HTTP/1.1" 200 10 "-" "Mozilla/5.0"' % i
           for i in range(10)]
    web += ['10.0.0.9 - - [22/Nov/2026:10:00:10 +0000] "GET /favicon.ico HTTP/1.1" 404 0 "-" "Mozilla/5.0"',
            '10.0.0.9 - bob [22/Nov/2026:10:00:11 +0000] "POST /login HTTP/1.1" 302 0 "-" "Mozilla/5.0"',
            '10.0.0.9 - - [22/Nov/2026:10:00:12 +0000] "GET /search?q=union+station HTTP/1.1" 200 10 "-" "Mozilla/5.0"']
    f = tmp_path / "benign.log"
    f.write_text("\n".join(lines + web) + "\n")
    p = run([str(f)], check_rc=0)
    assert alerts(p) == []


def test_long_line_loses_nothing_else(tmp_path):
    src = open(AUTH).read().splitlines()
    long_line = "Nov 22 23:59:28 vm sshd[1]: " + "A" * 100000
    lines = src[:10] + [long_line] + src[10:]
    f = tmp_path / "long.log"
    f.write_text("\n".join(lines) + "\n")
    p = run(["--events", "--summary", str(f)], check_rc=1)
    recs = records(p)
    ev = [r for r in recs if r.get("event_type") == "log"]
    assert len(ev) == len(lines)
    # Every line before and after the long one is read exactly as in the original.
    msgs = [r["log"]["message"] for r in ev]
    assert msgs[:10] == src[:10]
    assert msgs[11:] == src[10:]
    assert ev[10]["parse"].get("truncated") is True
    assert summarize(alerts(p)) == summarize(alerts(run([AUTH])))
    err = p.stderr.decode()
    assert "truncated: 1" in err
    assert "lines read" in err and ("%d lines read" % len(lines)) in err


def test_events_show_every_line():
    p = run(["--events", AUTH], check_rc=1)
    recs = records(p)
    ev = [r for r in recs if r.get("event_type") == "log"]
    n = len(open(AUTH).read().splitlines())
    assert len(ev) == n
    assert all(e["parse"]["status"] in ("ok", "unknown", "invalid") for e in ev)
    failed = [e for e in ev if e.get("vigil", {}).get("action") == "ssh-login-failed"]
    assert len(failed) == 8
    assert {e["log"]["user"] for e in failed} == set(USERS_TRIED)
    assert len(alerts(p)) == 2


def test_stdin_and_output_file(tmp_path):
    data = open(AUTH, "rb").read()
    out = tmp_path / "out.json"
    p = run(["--year-ref", "1795400000", "-o", str(out), "-"], stdin=data, check_rc=1)
    assert p.stdout == b""
    al = [json.loads(x) for x in out.read_text().splitlines()]
    assert titles(al) == sorted([BRUTE, SAF])


def test_ecs_output():
    p = run(["--output-format", "ecs", AUTH], check_rc=1)
    recs = records(p)
    assert len(recs) == 2
    assert all("@timestamp" in r for r in recs)
    assert {r["rule"]["name"] for r in recs} == {BRUTE, SAF}


def test_replay_is_deterministic():
    a = run(["--events", AUTH, NGINX]).stdout
    b = run(["--events", AUTH, NGINX]).stdout
    assert a == b


def test_broken_rule_reported_others_run(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    good = open(os.path.join(SRC, "rules", "sigma", "ssh.yml")).read()
    (rules / "ssh.yml").write_text(good)
    (rules / "x.yml").write_text(
        "title: broken\n"
        "logsource: {product: linux}\n"
        "detection:\n"
        "  selection:\n"
        "    user.name|contain: root\n"
        "  condition: selection\n")
    p = run(["--rules", str(rules), AUTH], check_rc=2)
    err = p.stderr.decode()
    assert "x.yml:5: detection.selection.user.name: unknown modifier 'contain'" in err
    assert titles(alerts(p)) == sorted([BRUTE, SAF])


def test_rules_from_env_and_no_rules(tmp_path):
    f = tmp_path / "one.yml"
    f.write_text("title: any failed ssh\nlogsource: {service: sshd}\n"
                 "detection: {s: {event.action: ssh-login-failed}, condition: s}\n")
    p = run([AUTH], env={"VIGIL_RULES": str(f)}, check_rc=1)
    assert titles(alerts(p)) == ["any failed ssh"] * 8
    p = run(["--no-rules", AUTH], check_rc=0)
    assert p.stdout == b""


def test_summary_counts():
    p = run(["--summary", AUTH, NGINX], check_rc=1)
    err = p.stderr.decode()
    n = len(open(AUTH).read().splitlines()) + len(open(NGINX).read().splitlines())
    assert "2 files, %d lines read" % n in err
    assert "alerts:    13" in err
    assert "1  " + BRUTE in err
    assert "2  Web SQL injection attempt" in err


def test_usage():
    assert run(["--help"]).returncode == 0
    assert b"usage: vigil logscan" in run(["--help"]).stdout
    assert run([]).returncode == 2
    assert run(["--format", "bogus", AUTH]).returncode == 2
    assert run(["/nonexistent/file.log"]).returncode == 2


def test_repeated_message_counts_each_repetition(tmp_path):
    f = tmp_path / "rep.log"
    f.write_text(
        "Nov 22 10:00:00 vm sshd[5]: Failed password for root from 10.5.5.5 port 2222 ssh2\n"
        "Nov 22 10:00:05 vm sshd[5]: message repeated 3 times: [ Failed password for root from 10.5.5.5 port 2222 ssh2]\n")
    assert alerts(run([str(f)], check_rc=0)) == []  # 4 failures < 5
    f.write_text(f.read_text() +
                 "Nov 22 10:00:09 vm sshd[5]: Failed password for root from 10.5.5.5 port 2222 ssh2\n")
    al = alerts(run([str(f)], check_rc=1))
    assert titles(al) == [BRUTE]
    assert al[0]["correlation"]["count"] == 5


def test_sudo_failures_and_not_in_sudoers(tmp_path):
    f = tmp_path / "sudo.log"
    f.write_text(
        "Nov 22 10:00:00 vm sudo: pam_unix(sudo:auth): authentication failure; logname=bob uid=1000 euid=0 tty=/dev/pts/0 ruser=bob rhost=  user=bob\n"
        "Nov 22 10:00:05 vm sudo:      bob : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash\n"
        "Nov 22 10:01:05 vm sudo:      bob : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash\n"
        "Nov 22 10:02:05 vm sudo:      bob : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash\n"
        "Nov 22 10:03:05 vm sudo:      alice : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls\n"
        "Nov 22 10:03:10 vm sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls\n"
        "Nov 22 10:04:10 vm sudo:    mallory : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/sh\n")
    al = alerts(run([str(f)], check_rc=1))
    assert titles(al) == ["Repeated sudo authentication failures", "sudo attempt by a user not in sudoers"]
    rep = by_title(al, "Repeated sudo authentication failures")[0]
    assert rep["correlation"]["group_by"] == {"user.name": "bob", "host.name": "vm"}
    assert rep["log"]["user"] == "bob"
    assert by_title(al, "sudo attempt by a user not in sudoers")[0]["log"]["user"] == "mallory"


@pytest.mark.parametrize("fmt", ["eve", "ecs"])
def test_output_matches_schema(fmt):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.load(open(os.path.join(SRC, "etc", "schema", "%s-v1.schema.json" % fmt)))
    p = run(["--events", "--output-format", fmt, AUTH, NGINX], check_rc=1)
    recs = records(p)
    assert len(recs) > 100
    for r in recs:
        jsonschema.validate(r, schema)


def test_openstack_login_brute_force(tmp_path):
    line = ('2026-11-22 23:59:%02d,866 4321 WARNING openstack_auth.forms Login failed for user '
            '"%s" using domain "Default", remote address %s.')
    f = tmp_path / "horizon.log"
    f.write_text("\n".join([line % (10 + i, "admin%d" % (i % 3), "10.0.0.7") for i in range(12)] +
                           [line % (30, "bob", "10.0.0.8")] +
                           [line % (31 + i, "carol", "10.0.0.9") for i in range(9)]) + "\n")
    al = alerts(run([str(f)], check_rc=1))
    # 12 failures from 10.0.0.7 (>= 10); 1 from .8 and 9 from .9 stay below.
    assert titles(al) == ["OpenStack login brute force from one source"]
    assert al[0]["src_ip"] == "10.0.0.7"
    assert al[0]["correlation"]["count"] == 12
    assert sorted(al[0]["correlation"]["evidence"]["user.name"]) == ["admin0", "admin1", "admin2"]


def ssh_fail(sec, user, ip):
    return "Nov 22 11:%02d:%02d vm sshd[9]: Failed password for %s from %s port 4000 ssh2" % (
        sec // 60, sec % 60, user, ip)


def test_password_spraying_and_distributed_brute_force(tmp_path):
    # One source, 12 users, one try each, 80 s apart: never 5 within 5 minutes.
    spray = [ssh_fail(i * 80, "user%02d" % i, "10.7.0.1") for i in range(12)]
    f = tmp_path / "spray.log"
    f.write_text("\n".join(spray) + "\n")
    al = alerts(run([str(f)], check_rc=1))
    assert titles(al) == ["SSH password spraying from one source"]
    v = al[0]["correlation"]["values"]
    assert v["field"] == "user.name" and v["distinct"] == 12
    assert v["list"] == ["user%02d" % i for i in range(12)]
    # One user, 11 sources, one try each, slowly.
    dist = [ssh_fail(i * 90, "oracle", "10.8.0.%d" % (i + 1)) for i in range(11)]
    f.write_text("\n".join(dist) + "\n")
    al = alerts(run([str(f)], check_rc=1))
    assert titles(al) == ["SSH distributed brute force against one account"]
    assert al[0]["correlation"]["group_by"] == {"user.name": "oracle"}
    assert al[0]["correlation"]["values"]["distinct"] == 11
    # Nine of each: below both thresholds.
    f.write_text("\n".join(spray[:9] + dist[:9]) + "\n")
    assert alerts(run([str(f)], check_rc=0)) == []


def test_web_scanning(tmp_path):
    line = '10.6.0.1 - - [22/Nov/2026:10:00:%02d +0000] "GET /%s HTTP/1.1" %d 0 "-" "Mozilla/5.0"'
    paths = ["admin%d/" % i for i in range(35)]
    f = tmp_path / "scan.log"
    f.write_text("\n".join(line % (i, p, 404) for i, p in enumerate(paths)) + "\n")
    al = alerts(run([str(f)], check_rc=1))
    assert titles(al) == ["Web scanning from one source"]
    assert al[0]["correlation"]["values"]["distinct"] == 35
    # The same path 35 times, or 35 paths answered 200: not scanning.
    f.write_text("\n".join(line % (i, "missing", 404) for i in range(35)) + "\n")
    assert alerts(run([str(f)], check_rc=0)) == []
    f.write_text("\n".join(line % (i, p, 200) for i, p in enumerate(paths)) + "\n")
    assert alerts(run([str(f)], check_rc=0)) == []
