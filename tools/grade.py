#!/usr/bin/env python3
"""Grade the locks lab the way the course's grader does: run kalloctest,
`usertests sbrkmuch`, bcachetest and `usertests -q`, each on a fresh image at
CPUS=3 within the course's time limit (boot included), and print a score per
item and the total out of 109.

The items, points, regular expressions and time limits are the course's. As
there, a run that fails (times out, panics) still scores the items whose
lines it printed before. Stricter checks of our own are in make test.

    grade.py [YEAR]     YEAR 2024 (the default) or 2025: the 2025 edition
                        runs rwlktest instead of bcachetest, and kalloctest's
                        test4 too, at CPUS=4"""

import collections
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import Machine, MachineError  # noqa: E402

# A command run on a fresh boot within a time limit in seconds, boot
# included, and the items its output scores.
Run = collections.namedtuple("Run", "command limit items")
# An item scores its points if the regular expression matches a line.
Item = collections.namedtuple("Item", "name points regex")

RUNS = [
    Run("kalloctest", 300, [
        Item("kalloctest: test1", 10, r"^test1 OK$"),
        Item("kalloctest: test2", 10, r"^test2 OK$"),
        Item("kalloctest: test3", 10, r"^test3 OK$"),
    ]),
    Run("usertests sbrkmuch", 90, [
        Item("kalloctest: sbrkmuch", 10, r"^ALL TESTS PASSED$"),
    ]),
    Run("bcachetest", 150, [
        Item("bcachetest: test0", 20, r"^test0: OK$"),
        Item("bcachetest: test1", 10, r"^test1 OK$"),
        Item("bcachetest: test2", 10, r"^test2 OK$"),
        Item("bcachetest: test3", 10, r"^test3 OK$"),
    ]),
    Run("usertests -q", 300, [
        Item("usertests", 19, r"^ALL TESTS PASSED$"),
    ]),
]

# The 2025 edition: the read-write lock took the buffer cache's place, and
# kalloctest gained test4. What it shares with 2024 is graded alike.
SAME = {r.command: r for r in RUNS}
RUNS_2025 = [
    SAME["kalloctest"]._replace(
        items=SAME["kalloctest"].items + [Item("kalloctest: test4", 10, r"^test4 OK$")]),
    SAME["usertests sbrkmuch"],
    Run("rwlktest", 300, [
        Item("rwlktest", 30, r"^rwlktest: 4/4 CPUs succeeded$"),
    ]),
    SAME["usertests -q"],
]

# Each edition: the harts it is graded on, and its runs.
EDITIONS = {"2024": (3, RUNS), "2025": (4, RUNS_2025)}


def run(cmd, limit, cpus):
    """Boot a fresh machine with cpus harts and run cmd, all within limit
    seconds. Return what the machine printed and what stopped it early (or
    None)."""
    m = Machine(cpus=cpus)
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
    year = sys.argv[1] if len(sys.argv) > 1 else "2024"
    if len(sys.argv) > 2 or year not in EDITIONS:
        print(__doc__, file=sys.stderr)
        return 2
    cpus, runs = EDITIONS[year]
    score = total = 0
    for r in runs:
        out, err = run(r.command, r.limit, cpus)
        if err:
            print("== %s: %s" % (r.command, err), flush=True)
        for item in r.items:
            ok = re.search(item.regex, out, re.M) is not None
            total += item.points
            score += item.points if ok else 0
            print("== %s: %s (%d/%d)" % (item.name, "OK" if ok else "FAIL",
                                          item.points if ok else 0, item.points), flush=True)
    print("Score: %d/%d" % (score, total))
    return 0 if score == total else 1


if __name__ == "__main__":
    sys.exit(main())
