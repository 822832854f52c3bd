"""The results of checks, and how every test tool prints them: one line
"PASS name: detail" or "FAIL name: detail" per check, then "N passed, N
failed". tools/runtests.py reads these lines from tests/host/run.py.
Python 3 standard library only."""

import collections

# One check: its name, whether it passed, and what to say about it (None
# says nothing: the line is "PASS name").
Result = collections.namedtuple("Result", "name ok detail")


def print_result(r):
    line = "%s %s" % ("PASS" if r.ok else "FAIL", r.name)
    if r.detail is not None:
        line += ": " + r.detail
    print(line, flush=True)


def print_summary(results):
    """Print the count of passed and failed checks; return the failed."""
    failed = sum(1 for r in results if not r.ok)
    print("%d passed, %d failed" % (len(results) - failed, failed), flush=True)
    return failed
