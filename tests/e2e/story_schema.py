#!/usr/bin/env python3
"""Validate story files against etc/story.schema.json (tests/e2e/lib.sh
runs it on every spool an e2e test leaves).

    story_schema.py SCHEMA FILE...     validate each FILE; print
                                       "FILE: where: message" per error
    story_schema.py --check SCHEMA     only check that SCHEMA is a valid schema

Exit 0 when all are valid, 1 otherwise, 2 on a usage error."""

import json
import sys

import jsonschema


def validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=jsonschema.FormatChecker())


def main(argv):
    if len(argv) >= 2 and argv[0] == "--check":
        validator(argv[1])
        return 0
    if len(argv) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    v = validator(argv[0])
    bad = 0
    for name in argv[1:]:
        try:
            with open(name, encoding="utf-8") as f:
                story = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{name}: not JSON: {e}")
            bad += 1
            continue
        for e in sorted(v.iter_errors(story), key=lambda e: list(e.path)):
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print(f"{name}: {where}: {e.message}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
