#!/usr/bin/env python3
"""Run grind (user/grind.c) at CPUS=3 for STRESS_SECS seconds (default 300).
Fails on a panic, a hang (no progress line from grind for HANG_SECS,
default 120), or a shell that no longer answers afterwards."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import Machine, MachineError  # noqa: E402


def main():
    secs = int(os.environ.get("STRESS_SECS", "300"))
    hang = int(os.environ.get("HANG_SECS", "120"))
    cpus = int(os.environ.get("CPUS", "3"))
    t0 = time.time()
    try:
        with Machine(cpus=cpus) as m:
            m.boot()
            pos = len(m.out)
            m.send("grind %d\n" % secs)
            progress = 0
            while True:
                got = m.expect(r"grind: [^\n]*\n", hang, since=pos)
                pos = got.end()
                progress += 1
                if "grind: done" in got.group(0):
                    break
                if time.time() - t0 > secs + 4 * hang:
                    raise MachineError("grind did not finish in time")
            if "alive" not in m.run("echo alive", timeout=60):
                raise MachineError("the shell does not answer after grind")
            failures = re.findall(r"^.*(?:FAIL|panic).*$", m.out, re.M)
            if failures:
                raise MachineError("grind reported: %s" % failures[:5])
    except MachineError as e:
        print("stress: FAILED after %.0fs: %s" % (time.time() - t0, e))
        print("0 passed, 1 failed")
        return 1
    print("stress: OK, grind ran %ds at CPUS=%d with %d progress lines, no panic or hang"
          % (secs, cpus, progress))
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
