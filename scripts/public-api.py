#!/usr/bin/env python3
"""The public API of each published crate, as a sorted list of lines, compared with the lists
committed under api/: the surface changes only on purpose.

    python3 scripts/public-api.py           # check (CI): fails on any difference, showing it
    python3 scripts/public-api.py --update  # rewrite api/*.txt after a deliberate change

It reads rustdoc's JSON output (`--output-format json`, unstable: built with RUSTC_BOOTSTRAP=1
on the stable toolchain, as the fuzzing docs do) and walks the crate from its root the way a
user sees it: public items and re-exports, the methods and trait impls of public types, public
fields and variants. Hidden items (`#[doc(hidden)]`) are listed as hidden, not walked.
Written here rather than with `cargo public-api`, which needs a nightly toolchain installed.
"""

import difflib
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = [
    ("cors-actix-core", "cors_core"),
    ("cors-actix-macros", "cors_macros"),
    ("cors-actix", "cors_actix"),
    ("cors-actix-test", "cors_actix_test"),
    ("cors-actix-store", "cors_actix_store"),
]


def rustdoc_json(package, lib):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    subprocess.run(
        ["cargo", "rustdoc", "-q", "-p", package, "--all-features", "--",
         "-Z", "unstable-options", "--output-format", "json", "-A", "warnings"],
        cwd=ROOT, env=env, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    with open(os.path.join(target, "doc", lib + ".json")) as f:
        return json.load(f)


def hidden(item):
    return any("doc(hidden)" in str(a) for a in item.get("attrs", []))


def api(doc):
    index = doc["index"]
    get = lambda i: index.get(str(i))
    lines = set()

    def type_name(t):
        if not isinstance(t, dict):
            return "?"
        if "resolved_path" in t:
            return t["resolved_path"].get("path", "?").split("::")[-1]
        if "primitive" in t:
            return t["primitive"]
        if "generic" in t:
            return t["generic"]
        if "borrowed_ref" in t:
            return "&" + type_name(t["borrowed_ref"].get("type"))
        return next(iter(t.keys()), "?")

    def members(path, item):
        inner = item["inner"]
        kind = next(iter(inner))
        body = inner[kind]
        if kind == "struct":
            fields = body.get("kind", {}).get("plain", {}).get("fields", [])
            for f in fields:
                fi = get(f)
                if fi and fi.get("visibility") == "public":
                    lines.add(f"field {path}.{fi['name']}")
        if kind == "enum":
            for v in body.get("variants", []):
                vi = get(v)
                if vi:
                    lines.add(f"variant {path}::{vi['name']}")
        if kind == "trait":
            for m in body.get("items", []):
                mi = get(m)
                if mi:
                    lines.add(f"trait-item {path}::{mi['name']}")
        for impl_id in body.get("impls", []):
            impl = get(impl_id)
            if not impl:
                continue
            im = impl["inner"].get("impl", {})
            if im.get("is_synthetic") or im.get("blanket_impl"):
                continue
            trait = im.get("trait")
            if trait:
                lines.add(f"impl {trait.get('path', '?').split('::')[-1]} for {path}")
                continue
            for m in im.get("items", []):
                mi = get(m)
                if mi and mi.get("visibility") == "public" and not hidden(mi):
                    lines.add(f"{next(iter(mi['inner']))} {path}::{mi['name']}")

    def emit(path, item):
        kind = next(iter(item["inner"]))
        if hidden(item):
            lines.add(f"hidden {kind} {path}")
            return
        lines.add(f"{kind} {path}")
        if kind == "module":
            walk(item, path)
        else:
            members(path, item)

    def walk(module, prefix):
        for i in module["inner"]["module"].get("items", []):
            it = get(i)
            if not it:
                continue
            inner = it["inner"]
            if "use" in inner:
                use = inner["use"]
                if it.get("visibility") != "public":
                    continue
                target = get(use.get("id")) if use.get("id") is not None else None
                name = use["name"]
                if use.get("is_glob"):
                    lines.add(f"glob-reexport {prefix}::{use['source']}::*")
                elif target:
                    if hidden(it):
                        lines.add(f"hidden {next(iter(target['inner']))} {prefix}::{name}")
                    else:
                        emit(f"{prefix}::{name}", target)
                else:
                    lines.add(f"reexport {prefix}::{name} = {use['source']}")
            elif it.get("visibility") == "public" and it.get("name"):
                emit(f"{prefix}::{it['name']}", it)

    root = get(doc["root"])
    walk(root, root["name"])
    return sorted(lines)


def main():
    update = "--update" in sys.argv
    failed = False
    os.makedirs(os.path.join(ROOT, "api"), exist_ok=True)
    for package, lib in CRATES:
        lines = api(rustdoc_json(package, lib))
        path = os.path.join(ROOT, "api", package + ".txt")
        text = "".join(line + "\n" for line in lines)
        old = open(path).read() if os.path.exists(path) else ""
        if update:
            with open(path, "w") as f:
                f.write(text)
            print(f"{package}: {len(lines)} public items written to api/{package}.txt")
        elif old != text:
            failed = True
            print(f"{package}: the public API changed (update api/{package}.txt on purpose with "
                  f"`python3 scripts/public-api.py --update`):")
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), f"api/{package}.txt", "now"))
        else:
            print(f"{package}: {len(lines)} public items, as listed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
