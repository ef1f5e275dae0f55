"""Every line `vigil analyze --format eve|ecs` writes for the lab captures is valid
against etc/schema/eve-v1.schema.json / ecs-v1.schema.json (STYLE.md 15): alerts,
episodes, flows, anomalies, app-layer records (http, dns, ssh) and stats."""
import glob
import json
import os
import subprocess

import jsonschema
import pytest

BIN = os.environ.get("VIGIL_BIN", "vigil")
SHARED = os.environ.get("VIGIL_SHARED", "/work/shared")
SRC = os.environ.get("VIGIL_SRC", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
LAB = os.path.join(SHARED, "data", "lab")
PCAPS = sorted(glob.glob(os.path.join(LAB, "pcap", "*.pcap")))
SCHEMAS = {"eve": "eve-v1.schema.json", "ecs": "ecs-v1.schema.json"}


def validator(fmt):
    with open(os.path.join(SRC, "etc", "schema", SCHEMAS[fmt])) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def analyze(pcap, fmt):
    args = [BIN, "analyze", "--format", fmt, "--tenants", os.path.join(SRC, "etc", "tenants-lab.yaml"), pcap]
    p = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"{args}: exit {p.returncode}: {p.stderr[-2000:]}"
    return p.stdout.splitlines()


@pytest.mark.parametrize("fmt", ["eve", "ecs"])
@pytest.mark.parametrize("pcap", PCAPS, ids=[os.path.basename(p) for p in PCAPS])
def test_lab_output_matches_schema(pcap, fmt):
    v = validator(fmt)
    lines = analyze(pcap, fmt)
    for i, line in enumerate(lines):
        doc = json.loads(line)
        errors = [f"{list(e.path)}: {e.message}" for e in v.iter_errors(doc)]
        assert not errors, f"{os.path.basename(pcap)} line {i + 1}: {errors}\n{line}"


def test_scan_is_written_in_both_formats():
    # A capture with a known detection must produce at least one alert in each format,
    # so that schema validation above is not passing on empty output.
    pcap = os.path.join(LAB, "pcap", "scan-syn.pcap")
    eve = [json.loads(l) for l in analyze(pcap, "eve")]
    ecs = [json.loads(l) for l in analyze(pcap, "ecs")]
    assert any(d.get("event_type") == "alert" for d in eve)
    assert any(d["event"]["kind"] == "alert" for d in ecs)
