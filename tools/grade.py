#!/usr/bin/env python3
"""Grade the locks lab the way the course's grader does: run kalloctest,
`usertests sbrkmuch`, bcachetest and `usertests -q`, each on a fresh image at
CPUS=3, and print a score per item and the total out of 109.

    grade.py [YEAR]     YEAR 2024 (the default) or 2025: the 2025 edition
                        runs rwlktest instead of bcachetest, and kalloctest's
                        test4 too, at CPUS=4"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import Machine, MachineError  # noqa: E402

# (program, timeout in seconds, [(item, points, regular expression that passes it)])
RUNS = [
    ("kalloctest", 900, [
        ("kalloctest: test1", 10, r"^test1 OK$"),
        ("kalloctest: test2", 10, r"^test2 OK$"),
        ("kalloctest: test3", 10, r"^test3 OK$"),
    ]),
    ("usertests sbrkmuch", 300, [
        ("kalloctest: sbrkmuch", 10, r"^test sbrkmuch: OK$(?s:.*)^ALL TESTS PASSED$"),
    ]),
    ("bcachetest", 900, [
        ("bcachetest: test0", 20, r"^test0: OK$"),
        ("bcachetest: test1", 10, r"^test1: OK$"),
        ("bcachetest: test2", 10, r"^test2: OK$"),
        ("bcachetest: test3", 10, r"^test3: OK$"),
    ]),
    ("usertests -q", 1500, [
        ("usertests", 19, r"^ALL TESTS PASSED$"),
    ]),
]

# The 2025 edition: the read-write lock took the buffer cache's place, and
# kalloctest gained test4. What it shares with 2024 is graded alike.
SAME = {cmd: (timeout, items) for cmd, timeout, items in RUNS}
RUNS_2025 = [
    ("kalloctest", SAME["kalloctest"][0],
     SAME["kalloctest"][1] + [("kalloctest: test4", 10, r"^test4 OK$")]),
    ("usertests sbrkmuch",) + SAME["usertests sbrkmuch"],
    ("rwlktest", 300, [
        ("rwlktest", 30, r"^rwlktest: 4/4 CPUs succeeded$"),
    ]),
    ("usertests -q",) + SAME["usertests -q"],
]

# Each edition: the harts it is graded on, and its runs.
EDITIONS = {"2024": (3, RUNS), "2025": (4, RUNS_2025)}


def main():
    year = sys.argv[1] if len(sys.argv) > 1 else "2024"
    if len(sys.argv) > 2 or year not in EDITIONS:
        print(__doc__, file=sys.stderr)
        return 2
    cpus, runs = EDITIONS[year]
    score = total = 0
    for cmd, timeout, items in runs:
        out, err = "", None
        try:
            with Machine(cpus=cpus) as m:
                m.boot()
                out = m.run(cmd, timeout=timeout)
        except MachineError as e:
            err = str(e)
        for item, points, rx in items:
            total += points
            ok = err is None and re.search(rx, out, re.M) is not None
            score += points if ok else 0
            print("== %s: %s (%d/%d)%s" % (item, "OK" if ok else "FAIL",
                                            points if ok else 0, points,
                                            "" if ok or not err else "  " + err.splitlines()[0]),
                  flush=True)
    print("Score: %d/%d" % (score, total))
    return 0 if score == total else 1


if __name__ == "__main__":
    sys.exit(main())
