#!/usr/bin/env python3
"""Validate JSON documents against a schema of schemas/, resolving references
between the schema files.

Usage: tools/schema-check.py SCHEMA FILE...

SCHEMA is a file name in schemas/ (e.g. export-manifest.schema.json). A FILE
whose name ends in .ndjson holds one document per line; any other FILE holds
one document; '-' reads one document from stdin. Prints one line per problem
(file, document number, path, message) and exits 1 when there is any, else
prints "ok" and exits 0.

Unlike tools/ledger-check.py this is a test tool, not an auditor's: it needs
the jsonschema package (Debian: python3-jsonschema, which tools/setup installs).
"""

import json
import pathlib
import sys

import jsonschema

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "schemas"


def load_schemas():
    """Every schema of schemas/, keyed by its file name and by its $id."""
    found = {}
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        found[path.name] = schema
        found[schema["$id"]] = schema
    return found


def validator(name, schemas):
    """A draft 2020-12 validator for one schema that resolves references to the others."""
    schema = schemas[name]
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource
    except ImportError:
        # jsonschema before 4.18 (Debian bookworm) resolves through RefResolver.
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=schemas)
        return cls(schema, resolver=resolver)
    registry = Registry().with_resources(
        (key, Resource.from_contents(value)) for key, value in schemas.items())
    return cls(schema, registry=registry)


def documents(file):
    """The documents a FILE holds."""
    text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()
    if file.endswith(".ndjson"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(text)]


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    schemas = load_schemas()
    if argv[0] not in schemas:
        print(f"schema-check: no schema {argv[0]} in {SCHEMAS}", file=sys.stderr)
        return 66
    check = validator(argv[0], schemas)
    problems = 0
    for file in argv[1:]:
        for number, document in enumerate(documents(file), start=1):
            for error in check.iter_errors(document):
                problems += 1
                where = "/".join(str(part) for part in error.absolute_path) or "(top)"
                print(f"{file}: document {number}: {where}: {error.message}")
    if problems:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
