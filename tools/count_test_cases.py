#!/usr/bin/env python3
"""Counts GoogleTest cases of the test targets read from stdin (one label a line) in
their test.xml under bazel-testlogs, and prints one line 'N passed, M failed, K skipped'.
A target with no readable cases (it crashed, or never ran because it failed to build)
counts as one failed case, so a broken target cannot vanish from the count."""
import os
import sys
import xml.etree.ElementTree as ET


def main(testlogs):
    passed = failed = skipped = 0
    for label in sys.stdin.read().split():
        package, _, name = label.lstrip("/").partition(":")
        xml_path = os.path.join(testlogs, package, name, "test.xml")
        try:
            cases = list(ET.parse(xml_path).getroot().iter("testcase"))
        except (OSError, ET.ParseError):
            cases = []
        if not cases:
            failed += 1
            continue
        for case in cases:
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif case.get("result") == "skipped" or case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
    if passed + failed + skipped == 0:
        # No test target was found: the query or the build broke. Never report that as a clean run.
        print("no test targets found (the build or the query failed)", file=sys.stderr)
        failed = 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs")
