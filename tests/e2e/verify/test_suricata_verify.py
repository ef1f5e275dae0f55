"""Suricata's own regression cases (../shared/data/suricata-verify, see its README): every
case's capture runs through `vigil analyze --rules test.rules` and each check must hold:
exactly `count` EVE records match every key of `match` (dotted keys are paths into the
record). One pytest case per suricata-verify case, so the report names each one.

The cases run as Suricata runs them with its default configuration (HOME_NET etc. are
vigil's defaults too; stream.midstream false). VIGIL_VERIFY_DIR may point at another
directory of cases of the same layout (cases.jsonl + tests/NAME/)."""
import json
import os
import subprocess

import pytest

BIN = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
VERIFY = os.environ.get("VIGIL_VERIFY_DIR", os.path.join(SHARED, "data", "suricata-verify"))


def load_cases():
    path = os.path.join(VERIFY, "cases.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


CASES = load_cases()


def get_path(rec, dotted):
    cur = rec
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None, False
        cur = cur[part]
    return cur, True


def matches(rec, match):
    for k, want in match.items():
        got, ok = get_path(rec, k)
        if not ok or got != want:
            return False
    return True


def run_case(case, tmp_path):
    d = os.path.join(VERIFY, "tests", case["name"])
    out = tmp_path / "eve.json"
    args = [BIN, "analyze", "--no-summary", "-o", str(out)]
    rules = os.path.join(d, "test.rules")
    if os.path.exists(rules):
        args += ["--rules", rules]
    args.append(os.path.join(d, case["pcap"]))
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"exit {p.returncode}: {p.stderr[-2000:]}"
    with open(out) as f:
        return [json.loads(l) for l in f if l.strip()], p.stderr


def test_cases_present():
    assert len(CASES) >= 1, f"no cases in {VERIFY}"


# Cases that fail for a feature vigil does not have yet: reported as xfail with the
# reason (any other failure fails the suite). Remove an entry once its feature lands;
# a listed case that passes is simply a pass.
KNOWN_GAPS = {
}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, tmp_path):
    recs, stderr = run_case(case, tmp_path)
    failures = []
    for chk in case["checks"]:
        n = sum(1 for r in recs if matches(r, chk["match"]))
        if n != chk["count"]:
            failures.append(f"{chk['match']}: expected {chk['count']}, got {n}")
    if failures and case["name"] in KNOWN_GAPS:
        pytest.xfail(KNOWN_GAPS[case["name"]] + ": " + "; ".join(failures))
    if failures:
        alerts = sorted({(r["alert"]["signature_id"]) for r in recs if r.get("event_type") == "alert"})
        pytest.fail("; ".join(failures) + f" (alerts raised for sids {alerts}; "
                    f"stderr: {stderr.strip()[-500:]})")
