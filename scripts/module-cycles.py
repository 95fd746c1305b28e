#!/usr/bin/env python3
"""Fails if a module of a crate imports a module that imports it back.

For each `src/` given (default: the library crates), every `.rs` file is a module
(`a/b.rs` and `a/b/mod.rs` are `a::b`); its imports are the `crate::...` paths in its code
(comments and doc comments aside), each resolved to the deepest module it names. Two levels
are checked:
  - files: module A uses B and B uses A;
  - top-level folders of the crate: `crate::x` uses `crate::y` (through any of their files) and
    `y` uses `x`.
A module's own submodules and its parent are not counted (a parent declaring its children is
not an import).
Usage: python3 scripts/module-cycles.py [crate/src ...]
"""
import re
import sys
from pathlib import Path

PATH = re.compile(r"crate((?:::[a-z_][a-z0-9_]*)+)")


def modules(src: Path):
    found = {}
    for file in sorted(src.rglob("*.rs")):
        parts = list(file.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("mod", "lib"):
            parts = parts[:-1]
        found[tuple(parts)] = file
    return found


def code(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        lines.append(line.split(" //")[0])
    return "\n".join(lines)


def imports(src: Path):
    mods = modules(src)
    uses = {}
    for name, file in mods.items():
        targets = set()
        for match in PATH.finditer(code(file.read_text())):
            segments = tuple(match.group(1).strip(":").split("::"))
            # The deepest module the path names.
            for cut in range(len(segments), 0, -1):
                if segments[:cut] in mods:
                    target = segments[:cut]
                    if target != name and target[: len(name)] != name and name[: len(target)] != target:
                        targets.add(target)
                    break
        uses[name] = targets
    return uses


def check(src: Path) -> list:
    uses = imports(src)
    problems = []
    for a, targets in uses.items():
        for b in targets:
            if a < b and a in uses.get(b, ()):
                problems.append(f"{src}: {'::'.join(a)} <-> {'::'.join(b)}")
    top = {}
    for a, targets in uses.items():
        if not a:
            continue
        for b in targets:
            if b and a[0] != b[0]:
                top.setdefault(a[0], set()).add(b[0])
    for x, ys in top.items():
        for y in ys:
            if x < y and x in top.get(y, ()):
                problems.append(f"{src}: folder {x} <-> folder {y}")
    return problems


def main() -> int:
    roots = [Path(p) for p in sys.argv[1:]] or [
        Path("cors-core/src"),
        Path("cors-macros/src"),
        Path("cors-actix/src"),
        Path("cors-actix-test/src"),
        Path("cors-actix-store/src"),
    ]
    problems = [p for root in roots for p in check(root)]
    for problem in problems:
        print("module cycle:", problem)
    if not problems:
        print("no module imports a module that imports it back:", ", ".join(map(str, roots)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
