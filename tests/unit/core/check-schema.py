#!/usr/bin/python3
"""Validate every EVE and ECS line dump-core-events prints against etc/schema/.

Usage: check-schema.py DUMPER SCHEMA_DIR. Fails on the first invalid line, naming it."""
import json
import subprocess
import sys

import jsonschema


def main():
    dumper, schema_dir = sys.argv[1], sys.argv[2]
    total = 0
    for fmt, name in (("eve", "eve-v1.schema.json"), ("ecs", "ecs-v1.schema.json")):
        with open(f"{schema_dir}/{name}") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        out = subprocess.run([dumper, fmt], check=True, capture_output=True, text=True).stdout
        lines = out.splitlines()
        assert len(lines) > 50, f"{fmt}: only {len(lines)} lines"
        for i, line in enumerate(lines):
            doc = json.loads(line)
            errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
            if errs:
                print(f"{fmt} line {i + 1}: {line}")
                for e in errs:
                    print(f"  {list(e.path)}: {e.message}")
                return 1
            total += 1
    # The schemas must also reject what vigil never writes.
    with open(f"{schema_dir}/eve-v1.schema.json") as f:
        eve = jsonschema.Draft202012Validator(json.load(f))
    bad = [{"timestamp": "2026-11-22 23:59:27", "event_type": "alert", "vigil": {}},
           {"timestamp": "2026-11-22T23:59:27.866757+0000", "event_type": "alert", "vigil": {}},
           {"timestamp": "2026-11-22T23:59:27.866757+0000", "event_type": "flow", "flow": {}, "vigil": {}}]
    for b in bad:
        assert not eve.is_valid(b), b
    print(f"{total} lines valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
