"""Regenerate pipeline/data/aws_services.json from the installed botocore.

Usage: .venv/bin/python scripts/build_gazetteer.py [--check]

Reading every botocore service model takes seconds, so the result is committed and the
pipeline only ever reads the JSON. ``--check`` exits 1 when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.datafiles import data_path
from pipeline.extract.gazetteer import AWS_SERVICES_FILE, build_aws_services_document


def render() -> str:
    """The exact text of aws_services.json for the installed botocore (sorted, stable)."""
    doc = build_aws_services_document()
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    args = parser.parse_args(argv)
    path = data_path(AWS_SERVICES_FILE)
    text = render()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        stale = current != text
        sys.stdout.write(f"{path}: {'stale' if stale else 'up to date'}\n")
        return 1 if stale else 0
    path.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {path} ({text.count('service_name')} services)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
