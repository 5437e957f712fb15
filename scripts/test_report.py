#!/usr/bin/env python3
"""Counts the tests of scripts/test.sh's passes, skips included.

    test_report.py [--expected FILE] [--ci] [--failed-steps N] [--exit PASS=STATUS]...
                   PASS[:PREFIX]=PATH...

ctest counts a GoogleTest skip as a pass, so its summary line cannot be
trusted to show one. This reads what every pass wrote instead: ctest's
--output-junit file (a skip is a test whose output matched ctest's
SKIP_REGULAR_EXPRESSION) and GoogleTest's --gtest_output=xml file (a skip
has result="skipped"), from PATH (a file, or every *.xml in a directory).
PREFIX is put before the test names of that pass (the namespace-less pass
of test-unprivileged.sh names its tests "nsless." as ctest does).

It prints every failed test, every skipped test with its reason, and last
"N passed, M failed, K skipped", where M also counts the N failed steps
that are not test runs (--failed-steps). A pass whose PATH has no test
report is a failure: it did not run, or crashed before writing one; so is
a pass whose command exited non-zero (--exit) with no failed test in its
report.

FILE lists the skips expected on the CI machine, one per line:
    PASSES  TEST  REASON
PASSES is a comma-separated list of pass names (fnmatch globs), TEST a
fnmatch glob of the test's name, REASON what the skip message starts with.
With --ci, a skip that no line matches fails (one more failed step), so a
test that must run in CI cannot quietly stop running there; without it,
such skips are named but do not fail.

Exit status: 0 only when nothing failed.
"""

import argparse
import fnmatch
import os
import re
import sys
import xml.etree.ElementTree as ET

# GoogleTest's output for a skip: "FILE:LINE: Skipped", the message, then
# "[  SKIPPED ] Suite.Name (N ms)".
SKIP_OUTPUT = re.compile(r":\d+: Skipped\n(.*?)\n?\[  SKIPPED \] ", re.DOTALL)


class Result:
    def __init__(self, pass_name, name, outcome, detail=""):
        self.pass_name = pass_name
        self.name = name
        self.outcome = outcome  # "passed", "failed" or "skipped"
        self.detail = detail    # the skip's reason, or why it failed


def one_line(text):
    return " ".join(text.split()) or "(no reason given)"


def from_ctest(pass_name, prefix, suite):
    for case in suite.iter("testcase"):
        name = prefix + case.get("name", "?")
        status = case.get("status", "")
        out = case.findtext("system-out") or ""
        if status == "run":
            yield Result(pass_name, name, "passed")
        elif status == "fail":
            yield Result(pass_name, name, "failed")
        elif status == "notrun" and "[  SKIPPED ] " in out:
            m = SKIP_OUTPUT.search(out)
            yield Result(pass_name, name, "skipped", one_line(m.group(1) if m else ""))
        elif status == "disabled":
            yield Result(pass_name, name, "skipped", "disabled in CMake (DISABLED property)")
        else:
            # Not run for another reason (a missing executable, a failed
            # fixture): a failure, never a skip.
            skipped = case.find("skipped")
            why = skipped.get("message", "") if skipped is not None else status
            yield Result(pass_name, name, "failed", "not run: " + why)


def from_gtest(pass_name, prefix, suites):
    for case in suites.iter("testcase"):
        name = prefix + case.get("classname", "?") + "." + case.get("name", "?")
        if case.find("failure") is not None or case.find("error") is not None:
            yield Result(pass_name, name, "failed")
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped = case.find("skipped")
            message = skipped.get("message", "") if skipped is not None else ""
            # "FILE:LINE\nMESSAGE"
            yield Result(pass_name, name, "skipped", one_line(message.partition("\n")[2]))
        elif case.get("status") == "notrun":
            yield Result(pass_name, name, "skipped", "DISABLED_ in GoogleTest")
        else:
            yield Result(pass_name, name, "passed")


def read_pass(spec):
    label, _, path = spec.partition("=")
    pass_name, _, prefix = label.partition(":")
    files = ([os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith(".xml")]
             if os.path.isdir(path) else [path] if os.path.isfile(path) else [])
    if not files:
        return pass_name, [], f"no test report at {path}"
    results = []
    for f in files:
        try:
            root = ET.parse(f).getroot()
        except ET.ParseError as e:
            return pass_name, results, f"{f}: {e}"
        reader = from_gtest if root.tag == "testsuites" else from_ctest
        results.extend(reader(pass_name, prefix, root))
    if not results:
        return pass_name, results, f"no test ran ({', '.join(files)})"
    return pass_name, results, None


def read_expected(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(None, 2)
            if len(fields) != 3:
                sys.exit(f"{path}:{n}: want PASSES TEST REASON, got: {line}")
            rules.append((fields[0].split(","), fields[1], fields[2]))
    return rules


def expected(result, rules):
    return any(
        any(fnmatch.fnmatchcase(result.pass_name, p) for p in passes)
        and fnmatch.fnmatchcase(result.name, test) and result.detail.startswith(reason)
        for passes, test, reason in rules)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expected", help="the skips expected in CI")
    ap.add_argument("--ci", action="store_true", help="fail on a skip not in --expected")
    ap.add_argument("--failed-steps", type=int, default=0)
    ap.add_argument("--exit", action="append", default=[], metavar="PASS=STATUS")
    ap.add_argument("passes", nargs="*", metavar="PASS[:PREFIX]=PATH")
    args = ap.parse_args()

    status = dict(e.partition("=")[::2] for e in args.exit)
    results = []
    failed_steps = args.failed_steps
    for spec in args.passes:
        pass_name, got, problem = read_pass(spec)
        results.extend(got)
        rc = status.get(pass_name, "0")
        if not problem and rc != "0" and not any(r.outcome == "failed" for r in got):
            problem = f"exit status {rc} with no failed test in its report"
        if problem:
            print(f"FAILED pass {pass_name}: {problem}")
            failed_steps += 1

    failed = [r for r in results if r.outcome == "failed"]
    skipped = [r for r in results if r.outcome == "skipped"]
    passed = len(results) - len(failed) - len(skipped)
    for r in failed:
        print(f"failed   {r.pass_name}: {r.name}" + (f" ({r.detail})" if r.detail else ""))

    rules = read_expected(args.expected) if args.expected else []
    unexpected = [r for r in skipped if not expected(r, rules)]
    for r in skipped:
        mark = "" if expected(r, rules) else "  [NOT EXPECTED IN CI]"
        print(f"skipped  {r.pass_name}: {r.name}: {r.detail}{mark}")
    if unexpected:
        where = args.expected or "no expected-skips file"
        if args.ci:
            print(f"FAILED: {len(unexpected)} skip(s) not listed in {where}: "
                  "a test that must run in CI did not run")
            failed_steps += 1
        else:
            print(f"note: {len(unexpected)} skip(s) not listed in {where} (CI would fail)")

    print()
    print(f"{passed} passed, {len(failed) + failed_steps} failed, {len(skipped)} skipped")
    return 1 if failed or failed_steps else 0


if __name__ == "__main__":
    sys.exit(main())
