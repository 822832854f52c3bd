#!/usr/bin/env python3
"""Grade the locks lab the way the course's grader does: run kalloctest,
`usertests sbrkmuch`, bcachetest and `usertests -q`, each on a fresh image at
CPUS=3 within the course's time limit (boot included), and print a score per
item and the total out of 109.

The items, points, regular expressions and time limits are the course's. As
there, a run that fails (times out, panics) still scores the items whose
lines it printed before. Stricter checks of our own are in make test."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import Machine, MachineError  # noqa: E402

# (command, time limit in seconds, [(item, points, regular expression that passes it)])
RUNS = [
    ("kalloctest", 300, [
        ("kalloctest: test1", 10, r"^test1 OK$"),
        ("kalloctest: test2", 10, r"^test2 OK$"),
        ("kalloctest: test3", 10, r"^test3 OK$"),
    ]),
    ("usertests sbrkmuch", 90, [
        ("kalloctest: sbrkmuch", 10, r"^ALL TESTS PASSED$"),
    ]),
    ("bcachetest", 150, [
        ("bcachetest: test0", 20, r"^test0: OK$"),
        ("bcachetest: test1", 10, r"^test1 OK$"),
        ("bcachetest: test2", 10, r"^test2 OK$"),
        ("bcachetest: test3", 10, r"^test3 OK$"),
    ]),
    ("usertests -q", 300, [
        ("usertests", 19, r"^ALL TESTS PASSED$"),
    ]),
]


def run(cmd, limit):
    """Boot a fresh machine and run cmd, all within limit seconds. Return
    what the machine printed and what stopped it early (or None)."""
    m = Machine(cpus=3)
    t0 = time.time()
    try:
        m.boot(timeout=limit)
        m.run(cmd, timeout=max(1, limit - (time.time() - t0)))
        return m.out, None
    except MachineError as e:
        return m.out, str(e).splitlines()[0]
    finally:
        m.stop()


def main():
    score = total = 0
    for cmd, limit, items in RUNS:
        out, err = run(cmd, limit)
        if err:
            print("== %s: %s" % (cmd, err), flush=True)
        for item, points, rx in items:
            ok = re.search(rx, out, re.M) is not None
            total += points
            score += points if ok else 0
            print("== %s: %s (%d/%d)" % (item, "OK" if ok else "FAIL", points if ok else 0,
                                          points), flush=True)
    print("Score: %d/%d" % (score, total))
    return 0 if score == total else 1


if __name__ == "__main__":
    sys.exit(main())
