#!/usr/bin/env python3
"""Counts GoogleTest cases of the test targets read from stdin (one label a line) and
prints one line 'N passed, M failed, K skipped'.

    count_test_cases.py TESTLOGS [EVENTS]

EVENTS is the --build_event_json_file of the `bazel test` just run (bazelw passes it).
With it, each target's test.xml is the one that run wrote (under the output directory of
its configuration, e.g. --config=asan's), and a target that Bazel reports as failed
whose cases all passed (a LeakSanitizer report or a crash at exit, after the XML was
written) counts one failed case more. Without it, test.xml is read from TESTLOGS.
A target with no readable cases (it crashed, or never ran because it failed to build)
counts as one failed case, so a broken target cannot vanish from the count."""
import json
import os
import sys
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlparse


def read_events(path):
    """label -> (test.xml paths, overall status) from a build event JSON file. A target
    missing from it did not run (or Bazel did not start), so it counts as failed."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    targets = {}
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        ids = event.get("id", {})
        if "testResult" in ids and "testResult" in event:
            xmls, status = targets.setdefault(ids["testResult"]["label"], ([], None))
            for output in event["testResult"].get("testActionOutput", []):
                if output.get("name") == "test.xml":
                    xmls.append(unquote(urlparse(output["uri"]).path))
        elif "testSummary" in ids and "testSummary" in event:
            label = ids["testSummary"]["label"]
            xmls, _ = targets.get(label, ([], None))
            targets[label] = (xmls, event["testSummary"].get("overallStatus"))
    return targets


def main(testlogs, events_path=None):
    events = read_events(events_path) if events_path is not None else None
    passed = failed = skipped = 0
    for label in sys.stdin.read().split():
        package, _, name = label.lstrip("/").partition(":")
        status = None
        if events is not None:
            xml_paths, status = events.get(label, ([], None))
        else:
            xml_paths = [os.path.join(testlogs, package, name, "test.xml")]
        cases = []
        for xml_path in xml_paths:
            try:
                cases += list(ET.parse(xml_path).getroot().iter("testcase"))
            except (OSError, ET.ParseError):
                pass
        if not cases:
            failed += 1
            continue
        target_failed = 0
        for case in cases:
            if case.find("failure") is not None or case.find("error") is not None:
                target_failed += 1
            elif case.get("result") == "skipped" or case.find("skipped") is not None:
                skipped += 1
            else:
                passed += 1
        if target_failed == 0 and status not in (None, "PASSED", "FLAKY"):
            target_failed = 1  # the process failed outside its cases
            print(f"{label}: {status} although every case passed", file=sys.stderr)
        failed += target_failed
    if passed + failed + skipped == 0:
        # No test target was found: the query or the build broke. Never report that as a clean run.
        print("no test targets found (the build or the query failed)", file=sys.stderr)
        failed = 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bazel-testlogs", sys.argv[2] if len(sys.argv) > 2 else None)
