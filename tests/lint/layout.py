#!/usr/bin/env python3
"""Checks that `src/` keeps the shape a newcomer can walk (run by `make lint`):

- no import cycle between areas: an area is a top-level module of the crate (`src/api`,
  `src/domain`, `src/error.rs`, ...), except that `src/server/` is a folder of areas (`web`,
  `identity`, `manage`, `audit`, `db`, ...), each its own node;
- no two files with the same name under `src/` (except `mod.rs`);
- every folder's `mod.rs` starts with a `//!` comment saying what lives there;
- no file under `src/server/` or `src/compat/` over MAX_LINES lines.

It reads the sources as text: `crate::a::b` paths (also inside `use crate::{...}` groups),
`super::` paths, and the crate-level macros (`#[macro_export]`) by where they are defined.
"""

import os
import re
import sys
from collections import defaultdict

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
SRC = os.path.normpath(SRC)
MAX_LINES = 520
# Folders whose children are areas of their own.
SPLIT = {"server"}


def rust_files():
    for root, _dirs, files in os.walk(SRC):
        for name in files:
            if name.endswith(".rs"):
                yield os.path.join(root, name)


def module_path(path):
    """`src/server/db/users.rs` -> ["server", "db", "users"]; mod.rs and lib.rs name their folder."""
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel


def area_of(parts):
    """The area a module path belongs to."""
    if not parts:
        return None
    if parts[0] in SPLIT and len(parts) > 1:
        return parts[0] + "/" + parts[1]
    return parts[0]


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def expand_use_groups(text):
    """`crate::{a, b::c}` -> `crate::a crate::b::c` (one level of nesting is enough here)."""
    out = []
    for m in re.finditer(r"\b(crate|super(?:::super)*)((?:::\w+)*)::\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}", text):
        head = m.group(1) + m.group(2)
        for item in re.split(r",(?![^{]*\})", m.group(3)):
            item = item.strip()
            if item:
                out.append(head + "::" + re.sub(r"::\{.*", "", item, flags=re.S))
    return out


def main():
    files = sorted(rust_files())
    macros = {}
    for path in files:
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"#\[macro_export\]\s*(?:#\[[^\]]*\]\s*)*macro_rules!\s*(\w+)", text):
            macros[m.group(1)] = module_path(path)

    top_level = {n[:-3] if n.endswith(".rs") else n for n in os.listdir(SRC)}
    problems = []
    edges = defaultdict(set)  # area -> {area: example}
    examples = {}
    for path in files:
        parts = module_path(path)
        if parts in ([], ["main"]) or os.path.basename(path) == "main.rs":
            continue
        here = area_of(parts)
        text = strip_comments(open(path, encoding="utf-8").read())
        refs = re.findall(r"\b(?:crate|super(?:::super)*)(?:::\w+)+", text) + expand_use_groups(text)
        for ref in refs:
            segs = ref.split("::")
            if segs[0] == "crate":
                target = segs[1:]
                if target and target[0] in macros:
                    target = macros[target[0]]
            else:
                ups = 0
                while segs and segs[0] == "super":
                    ups += 1
                    segs = segs[1:]
                base = parts if os.path.basename(path) == "mod.rs" else parts[:-1]
                base = base[: len(base) - (ups - 1)] if ups > 1 else base
                target = base + segs
            there = area_of(target)
            if there and there != here and target[0] in top_level:
                edges[here].add(there)
                examples.setdefault((here, there), os.path.relpath(path, SRC) + ": " + ref)

    # Cycles: strongly connected components with more than one area.
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            strong(v)
    for comp in comps:
        lines = [
            f"    {a} -> {b}   ({examples[(a, b)]})"
            for a in comp
            for b in sorted(edges[a])
            if b in comp
        ]
        problems.append("import cycle between " + ", ".join(comp) + ":\n" + "\n".join(lines))

    names = defaultdict(list)
    for path in files:
        name = os.path.basename(path)
        if name != "mod.rs":
            names[name].append(os.path.relpath(path, SRC))
    for name, where in sorted(names.items()):
        if len(where) > 1:
            problems.append(f"two files named {name}: " + ", ".join(where))

    for path in files:
        if os.path.basename(path) == "mod.rs":
            first = open(path, encoding="utf-8").readline()
            if not first.startswith("//!"):
                problems.append(f"{os.path.relpath(path, SRC)} does not start with a //! comment")
        rel = os.path.relpath(path, SRC)
        if rel.startswith(("server" + os.sep, "compat" + os.sep)):
            count = sum(1 for _ in open(path, encoding="utf-8"))
            if count > MAX_LINES:
                problems.append(f"{rel} has {count} lines (at most {MAX_LINES})")

    if problems:
        print("src/ layout:\n- " + "\n- ".join(problems))
        return 1
    print(f"src/ layout: {len(files)} files, {len(edges)} areas, no cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main())
