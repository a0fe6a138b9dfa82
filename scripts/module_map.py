"""The README's module map, generated from each module's docstring so it cannot go stale.

    python scripts/module_map.py            # print the map
    python scripts/module_map.py --write    # replace the map in README.md
    python scripts/module_map.py --check    # exit 1 when README.md's map differs (a test runs it)

The map lies between ``<!-- module-map:start -->`` and ``<!-- module-map:end -->``; each line is
a module (or a subpackage's ``__init__``) and the first sentence of its docstring.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- module-map:start -->", "<!-- module-map:end -->"


def first_sentence(path: Path) -> str:
    """The first sentence of a module's docstring, on one line."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    paragraph = re.sub(r":\w+:`~?([^`]+)`", lambda m: f"`{m.group(1).split('.')[-1]}`", paragraph)
    paragraph = paragraph.replace("``", "`")
    match = re.match(r"(.+?\.)(\s|$)", paragraph)
    return (match.group(1) if match else paragraph).rstrip(".")


def module_map() -> str:
    """Every module of ``pipeline/`` with its summary, as a fenced block."""
    lines = []
    for path in sorted((ROOT / "pipeline").rglob("*.py"), key=lambda p: (p.parent.parts, p.name)):
        rel = path.relative_to(ROOT)
        if "versions" in rel.parts:
            continue
        depth = len(rel.parts) - 2  # folders below pipeline/
        if path.name == "__init__.py":
            if depth == 0:
                continue  # pipeline/ itself heads the map
            name = f"{'  ' * depth}{rel.parts[-2]}/"
        else:
            name = f"{'  ' * (depth + 1)}{path.name}"
        lines.append(f"{name:<30} {first_sentence(path)}")
    return "\n".join(["```text", "pipeline/", *lines, "```"])


def replaced(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    new = replaced(readme, module_map())
    if args.write:
        readme_path.write_text(new, encoding="utf-8")
    elif args.check:
        if new != readme:
            print("README.md's module map is stale: run python scripts/module_map.py --write",
                  file=sys.stderr)
            return 1
    else:
        print(module_map())
    return 0


if __name__ == "__main__":
    sys.exit(main())
