#!/usr/bin/env python3
"""Counts GoogleTest cases in every test.xml under bazel-testlogs and prints one line:
'N passed, M failed, K skipped'. A target that crashed before writing its XML counts
as one failed case, so a broken binary cannot vanish from the count."""
import os
import sys
import xml.etree.ElementTree as ET


def main(testlogs):
    passed = failed = skipped = 0
    for root, _, files in os.walk(testlogs):
        if "test.log" not in files:
            continue
        xml_path = os.path.join(root, "test.xml")
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
    print(f"{passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs")
