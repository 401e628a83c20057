#!/usr/bin/env python3
"""Fails when a source file includes a header of a package above its own.

The layering (README.md, "Layout"), lowest first. A file may include headers of its own
package and of packages on lower layers; packages on one layer may not include each
other. Test files follow the same rule as libraries, so a lower package's tests cannot
reach up either. Includes of other projects (Abseil, oneDNN, the standard library...)
are not checked here; Bazel's visibility keeps their use to declared dependencies.

    check_layering.py ROOT            check the tree under ROOT (exit 1 on a violation)
    check_layering.py --self_test     check that a planted violation is caught
"""
import os
import re
import sys
import tempfile

# (package, layer): a package's subfolders belong to it unless listed themselves.
LAYERS = [
    ("base", 0),
    ("autograd", 1),
    ("datasets", 1),
    ("metrics", 1),
    ("ops/kernels", 2),
    ("ops/kernels/cpu", 3),
    ("ops/kernels/cuda", 3),
    ("ops", 4),
    ("models/layers", 5),
    ("models", 6),
    ("trainers", 7),
    ("tools", 8),
    ("apps", 9),
]
LAYER = dict(LAYERS)
SOURCE = re.compile(r".*\.(h|cc|cu|cuh|inc)$")
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.MULTILINE)


def package_of(path):
    """The longest listed package that contains `path`, or None."""
    best = None
    for package in LAYER:
        if path == package or path.startswith(package + "/"):
            if best is None or len(package) > len(best):
                best = package
    return best


def violations(root):
    found = []
    for directory, subdirs, files in os.walk(root, followlinks=True):
        rel_dir = os.path.relpath(directory, root)
        subdirs[:] = [d for d in subdirs if not d.startswith(("bazel-", "."))]
        for name in files:
            if not SOURCE.match(name):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, name))
            own = package_of(rel)
            if own is None:
                continue
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for match in INCLUDE.finditer(text):
                header = match.group(1)
                other = package_of(header)
                if other is None or other == own:
                    continue
                if LAYER[other] >= LAYER[own]:
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{rel}:{line}: {own} (layer {LAYER[own]}) includes {header} "
                                 f"of {other} (layer {LAYER[other]})")
    return found


def self_test():
    with tempfile.TemporaryDirectory() as root:
        def write(path, text):
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        write("ops/matmul.cc", '#include "ops/matmul.h"\n#include "autograd/tape.h"\n')
        write("autograd/tape.cc", '#include "absl/status/status.h"\n\n#include "models/seq2seq.h"\n')
        write("datasets/batch.h", '#include "autograd/tensor.h"\n')
        write("models/layers/gru.cc", '#include "models/layers/module.h"\n#include "ops/gru.h"\n')
        found = violations(root)
        expected = [
            "autograd/tape.cc:3: autograd (layer 1) includes models/seq2seq.h of models (layer 6)",
            "datasets/batch.h:1: datasets (layer 1) includes autograd/tensor.h of autograd (layer 1)",
        ]
        if sorted(found) != sorted(expected):
            print("self test failed: expected", expected, "got", found, file=sys.stderr)
            return 1
    print("self test: both planted violations reported, nothing else")
    return 0


def main(argv):
    if argv[1:] == ["--self_test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = violations(argv[1])
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"{len(found)} include(s) reach up the layering", file=sys.stderr)
        return 1
    print("layering holds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
