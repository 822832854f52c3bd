#!/usr/bin/env python3
"""Run the kernel's tests under QEMU and print "N passed, N failed".

Each session boots a fresh copy of fs.img at some number of harts and types
a list of commands at the shell; each command with its check is one test.
A panic, a QEMU exit or a timeout fails the running test and the rest of
its session.

    tools/runtests.py                 every session
    tools/runtests.py -k usertests    only the sessions with a test whose name
                                      (session/test) has "usertests", each whole,
                                      and the crash tests whose name has it
    tools/runtests.py --list          list the tests
    tools/runtests.py --log DIR       keep each session's console output in DIR
    tools/runtests.py --host          also run the host-side tests (tests/host/run.py)
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import ROOT, Machine, MachineError, build_kernel  # noqa: E402
from results import Result, print_result, print_summary  # noqa: E402


def has(*patterns):
    """A check: every regular expression is found in the output."""
    def check(out):
        missing = [p for p in patterns if not re.search(p, out, re.M)]
        return "missing %r" % missing if missing else None
    return check


def lacks_failures(out):
    m = re.search(r"^.*(FAIL|failed|panic).*$", out, re.M)
    return "found %r" % m.group(0) if m else None


# The lines of kalloctest and bcachetest that start "testN: " and say
# nothing went wrong: test0's verdict, the contention over a limit, and the
# figures printed at the end (a negative or unknown growth is an error),
# with the whole kernel's spins when the lock profiler is on.
FINE = re.compile(r"^test\d+: (OK|FAIL|tot grew by \d+, the limit is \d+|tot growth \d+, \d+ ticks|"
                  r"kernel spins \d+)$")


def correct(*tests):
    """A check for kalloctest and bcachetest: every test ran and found its
    data right. A test whose only failure is its contention (the program
    says "tot grew by G, the limit is L") passes here: contention is judged
    by make grade and the benchmarks, since a loaded host makes it vary from
    run to run. Any other line "testN: ..." says what went wrong."""
    def check(out):
        for t in tests:
            if re.search(r"^%s:? OK$" % t, out, re.M):
                continue
            if not re.search(r"^%s:? FAIL\b" % t, out, re.M):
                return "no verdict line for %s" % t
            if not re.search(r"^%s: tot grew by \d+, the limit is \d+$" % t, out, re.M):
                return "%s failed, and not for its contention" % t
        wrong = [line for line in out.splitlines()
                 if re.match(r"^test\d+: ", line) and not FINE.match(line)]
        return "found %r" % wrong[0] if wrong else None
    return check


def contends(test, failline):
    """A check for the control session, whose single-lock kernel must fail
    the test on contention: the course's FAIL line, and tot grown by 1000
    or more. It shows that the counting and the limits can fail."""
    def check(out):
        if not re.search(r"^%s$" % re.escape(failline), out, re.M):
            return "no line %r" % failline
        m = re.search(r"^%s: tot growth (\d+), \d+ ticks$" % test, out, re.M)
        if not m or int(m.group(1)) < 1000:
            return "%s: tot growth %s, not 1000 or more" % (test, m.group(1) if m else "unknown")
        return None
    return check


def rwlktest_ok(cpus, runs=1):
    """A check: `runs` runs of rwlktest all succeeded on every CPU, and the
    kernel reported no failed check."""
    def check(out):
        n = len(re.findall(r"^rwlktest: %d/%d CPUs succeeded$" % (cpus, cpus), out, re.M))
        if n != runs:
            return "%d of %d rwlktest runs succeeded on every CPU" % (n, runs)
        return lacks_failures(out)
    return check


def whole_lines(nproc, nlines):
    """A check for conslines: each process's numbered lines all arrived,
    once each and whole, and nothing else was printed but its last line."""
    def check(out):
        want = ["conslines p%d n%d: %s end" % (p, n, " ".join(["%d.%d" % (p, n)] * 6))
                for p in range(nproc) for n in range(nlines)]
        got = out.splitlines()
        missing = [w for w in want if got.count(w) != 1]
        extra = [g for g in got if g not in want and g != "conslines done"]
        if missing or extra or "conslines done" not in got:
            return "%d of %d lines not there once and whole; stray output %r" % (
                len(missing), len(want), extra[:3])
        return None
    return check


def panics(*patterns):
    """A check for a step that must panic the kernel: what it printed, up to
    and with the panic, has every pattern. It must be its session's last."""
    check = has(*patterns)
    check.panics = True
    return check


LOCKDEP_TESTS = [r"^lockdeptest: %s: OK" % t for t in
                 ("abba", "recursive", "nested", "sleeplock", "unheld", "userret")]


def no_races(out):
    """A check for sessions under the race detector (make KCSAN=1)."""
    m = re.search(r"^== race detected ==$", out, re.M)
    return "the race detector reported a race" if m else None


def kcsan_clean(out):
    """A check of the race detector's counts (kcsanctl): no race found since
    boot, in a run where it watched often enough for that to mean something."""
    counts = dict(re.findall(r"^([a-z-]+) (\d+)$", out, re.M))
    if "races" not in counts or "watched" not in counts:
        return "no counts from /kcsan"
    if int(counts["races"]) != 0:
        return "%s races found since boot" % counts["races"]
    if int(counts["watched"]) < 100000:
        return "only %s watchpoints set: too few to tell" % counts["watched"]
    return None


def both(*checks):
    def check(out):
        for c in checks:
            err = c(out)
            if err:
                return err
        return None
    return check


# A command typed at the shell, with the seconds it may take and its check
# (a function of what it printed that returns None or what is wrong). A
# step whose name is None is setup: its failure fails the next test.
Step = collections.namedtuple("Step", "name command timeout check")


class Session:
    """A boot at `cpus` harts, then steps, given as (name, command, timeout,
    check) tuples. `build` holds make variables that choose another kernel
    than the default one (e.g. "KALLOC=global")."""

    def __init__(self, name, cpus, steps, build=()):
        self.name = name
        self.cpus = cpus
        self.steps = [Step(*s) for s in steps]
        self.build = build

    def test_names(self):
        names = ["%s/boot" % self.name]
        names += ["%s/%s" % (self.name, s.name) for s in self.steps if s.name]
        names.append("%s/fsck" % self.name)
        return names


def shell_steps():
    return [
        ("echo", "echo hello world", 10, has(r"^hello world$")),
        ("pipe-wc", "echo hello world | wc", 10, has(r"^1 2 12\b")),
        ("redirect", "echo one two > t1; cat < t1", 10, has(r"^one two$")),
        ("list-grep", "(echo apple; echo banana; echo cherry) > g1; grep an g1",
         10, both(has(r"^banana$"), lambda o: "extra lines" if "apple" in o else None)),
        ("grep-regex", "grep ^c.*y$ g1; grep a.p g1; grep ^b.n g1 | wc", 10,
         has(r"^cherry$", r"^apple$", r"^1 1 7\b")),
        ("ls", "ls", 10, has(r"^README\s+2\s", r"^console\s+3\s", r"^\.\s+1\s+1\s")),
        ("pipeline", "cat README | grep . | wc | wc", 10, has(r"^1 3 ")),
        ("wc-file", "wc README", 10, has(r"^\d+ \d+ \d+ README$")),
        ("mkdir-cd", "mkdir d1; cd d1; echo in d1 > f; cat f; cd ..; ls d1", 10,
         has(r"^in d1$", r"^f\s+2\s")),
        ("ln-rm", "ln g1 g2; rm g1; cat g2; cat g1", 10,
         has(r"^banana$", r"cat: cannot open g1")),
        (None, "echo bg > bgout &", 10, lambda o: "printed %r" % o if o.strip() else None),
        ("background", "cat bgout", 10, has(r"^bg$")),
        ("exec-missing", "nosuchprogram", 10, has(r"exec nosuchprogram failed")),
        ("abitest", "abitest", 30, both(has(r"^abitest OK$"), lacks_failures)),
        ("forktest", "forktest", 120, has(r"^fork test OK$")),
        ("stressfs", "stressfs", 120, both(has(r"stressfs ok"), lacks_failures)),
        ("conslines", "conslines 4 100", 60, whole_lines(4, 100)),
    ]


SESSIONS = [
    Session("shell-cpus1", 1, shell_steps()),
    Session("shell-cpus3", 3, shell_steps()),
    Session("stats-cpus3", 3, [
        ("statstest", "statstest", 300, both(has(r"^statstest OK$"), lacks_failures)),
    ]),
    Session("lockstat-cpus3", 3, [
        ("lockstattest", "lockstattest", 600,
         both(has(r"^lockstattest OK$"), lacks_failures,
              lambda o: "contention checks skipped" if "skipped" in o else None)),
        ("lockstat-cmd", "lockstat -n 5 forktest", 120,
         has(r"^fork test OK$", r"^lockstat: \d+\.\d+ s since the last reset, profiling on",
             r"^total wait of all lock classes: \d+\.\d us$", r"^class +acquired +contended",
             r"^proc +\d+ +\d+ +\d+ +\d+\.\d")),
        ("lockstat-class", "lockstat -c proc", 30,
         has(r"^class proc \(spin lock\)$", r"^  acquired \d+ times", r"^  held \d+ times")),
        ("lockstat-usage", "lockstat -n; lockstat -c nosuchlock", 30,
         has(r"^usage: lockstat", r"no class nosuchlock")),
    ]),
    Session("lockstat-cpus1", 1, [
        ("lockstattest", "lockstattest", 600,
         both(has(r"^lockstattest OK$", r"contention checks skipped"), lacks_failures)),
    ]),
    Session("locks-cpus3", 3, [
        ("kalloctest", "kalloctest", 1200, correct("test1", "test2", "test3", "test4")),
        ("bcachetest", "bcachetest", 1200, correct("test0", "test1", "test2", "test3")),
    ]),
    # The negative control: with single locks, the same programs must see
    # the contention that the per-CPU allocator and the buckets remove.
    Session("control-global-cpus3", 3, [
        ("kalloctest", "kalloctest", 1200,
         both(correct("test1", "test2", "test3", "test4"), contends("test1", "test1 FAIL"))),
        ("bcachetest", "bcachetest", 1200,
         both(correct("test0", "test1", "test2", "test3"), contends("test0", "test0: FAIL"))),
    ], build=("KALLOC=global", "BCACHE=global")),
    # The read-write lock's self-test at several sizes, run again on the same
    # boot, at the same time as itself and as other programs (the left side
    # of a pipeline runs at the same time as the right).
    Session("rwlock-cpus2", 2, [
        ("rwlktest", "rwlktest", 300, rwlktest_ok(2)),
        ("rwlktest-again", "rwlktest", 300, rwlktest_ok(2)),
    ]),
    Session("rwlock-cpus4", 4, [
        ("rwlktest", "rwlktest", 300, rwlktest_ok(4)),
        ("rwlktest-again", "rwlktest", 300, rwlktest_ok(4)),
        ("rwlktest-twice-at-once", "rwlktest | (rwlktest; cat)", 600, rwlktest_ok(4, 2)),
        ("rwlktest-with-forktest", "forktest | (rwlktest; cat)", 600,
         both(rwlktest_ok(4), has(r"^fork test OK$"))),
        # Only that it runs: its figures are for reading, not judging.
        ("tickbench", "tickbench 10", 300,
         both(has(r"^tickbench: 4 CPUs, \d+ ticks: \d+ uptime calls$",
                  r"^tickbench: after: lock: time: #test-and-set \d+ #acquire\(\) \d+$|"
                  r"^tickbench: after: time is not among"), lacks_failures)),
    ]),
    Session("rwlock-cpus8", 8, [
        ("rwlktest", "rwlktest", 600, rwlktest_ok(8)),
        ("rwlktest-again", "rwlktest", 600, rwlktest_ok(8)),
    ]),
    # The race detector (make KCSAN=1): the lab's programs run without a
    # race found, and its self-test finds the races it must, naming the
    # functions, and none where the lock is taken.
    Session("kcsan-cpus3", 3, [
        ("kalloctest", "kalloctest", 2400,
         both(correct("test1", "test2", "test3"), no_races)),
        ("bcachetest", "bcachetest", 1200,
         both(correct("test0", "test1", "test2", "test3"), no_races)),
        ("clean", "kcsanctl", 30, kcsan_clean),
        ("racetest", "racetest", 300,
         both(has(r"^racetest OK$", r"^== race detected ==$", r"^  kcsantest_count\+",
                  r"^  kcsantest_setflag\+", r"^  kcsantest_readflag\+",
                  r"^  kcsantest_setbyte\+", r"^  kcsantest_readword\+",
                  r"^a write the detector cannot see"),
              lacks_failures)),
    ], build=("KCSAN=1",)),
    Session("usertests-q-cpus1", 1, [
        ("usertests-q", "usertests -q", 1200, both(has(r"^ALL TESTS PASSED$"), lacks_failures)),
    ]),
    Session("usertests-q-cpus3", 3, [
        ("usertests-q", "usertests -q", 1200, both(has(r"^ALL TESTS PASSED$"), lacks_failures)),
    ]),
    Session("usertests-full-cpus3", 3, [
        ("usertests", "usertests", 1800, both(has(r"^ALL TESTS PASSED$"), lacks_failures)),
    ]),
    # The lock-order checker: its self-tests, which must see their reports
    # on the console too; then the real kernel must make none.
    Session("lockdep-selftests-cpus2", 2, [
        ("lockdeptest", "lockdeptest", 120, both(
            has(r"^lockdeptest OK$", r"^lockdep: possible circular locking dependency$",
                r"^lockdep: recursive locking$", r"^lockdep: sleeping while holding a spinlock$",
                r"^lockdep: releasing a lock not held$",
                r"^lockdep: returning to user space with locks held$", *LOCKDEP_TESTS),
            lacks_failures)),
    ], build=("LOCKDEP=1",)),
    Session("lockdep-usertests-q-cpus3", 3, [
        ("usertests-q", "usertests -q", 1800, both(has(r"^ALL TESTS PASSED$"), lacks_failures)),
        ("no-report", "lockdep", 30, has(r"^lockdep: on, reports: 0$")),
    ], build=("LOCKDEP=1",)),
    Session("lockdep-panic-cpus1", 1, [
        ("sleep-panics", "lockdeptest sleep", 60,
         panics(r"^lockdep: sleeping while holding a spinlock$", r"^panic: lockdep")),
    ], build=("LOCKDEP=panic",)),
]


HOST_RUN = [sys.executable, os.path.join(ROOT, "tests", "host", "run.py")]


def host_checks():
    """The names of the host-side checks that tests/host/run.py declares."""
    p = subprocess.run(HOST_RUN + ["list"], capture_output=True, text=True, check=True)
    return p.stdout.split()


def run_host_tests(declared, results):
    """The host-side tests (tests/host/run.py), one result per line. A
    declared check that printed no result (run.py stopped early) fails."""
    p = subprocess.run(HOST_RUN + ["test"], capture_output=True, text=True)
    first = len(results)
    seen = set()
    for line in p.stdout.splitlines():
        m = re.match(r"^(PASS|FAIL) (\S+): (.*)$", line)
        if m:
            seen.add(m.group(2))
            results.append(Result(m.group(2), m.group(1) == "PASS", m.group(3)[:300]))
    why = "not run: run.py exited with %d: %s" % (p.returncode, (p.stderr or p.stdout)[-300:])
    results += [Result(name, False, why) for name in declared if name not in seen]
    if p.returncode != 0 and all(r.ok for r in results[first:]):
        results.append(Result("host/run", False, (p.stderr or p.stdout)[-2000:]))


def run_session(sess, log_dir, results):
    log = open(os.path.join(log_dir, sess.name + ".log"), "w") if log_dir else None
    pending = sess.test_names()
    m = None
    try:
        kernel = build_kernel(*sess.build) if sess.build else None
        m = Machine(cpus=sess.cpus, kernel=kernel, log=log)
        t = m.boot()
        missing = [i for i in range(sess.cpus) if "hart %d starting" % i not in m.out]
        name = pending.pop(0)
        if missing:
            results.append(Result(name, False, "harts %s did not say they started" % missing))
        else:
            results.append(Result(name, True, "prompt after %.1fs" % t))
        for step in sess.steps:
            t0 = time.time()
            start = len(m.out)
            panics = getattr(step.check, "panics", False)
            try:
                out = m.run(step.command, timeout=step.timeout)
                err = "no panic" if panics else step.check(out)
            except MachineError:
                if not panics:
                    raise
                m.settle(quiet=1.0, timeout=10)
                out = m.out[start:]
                err = step.check(out)
            if step.name is None:
                if err:
                    raise MachineError("setup %r: %s" % (step.command, err))
                continue
            name = pending.pop(0)
            msg = err or "%.1fs" % (time.time() - t0)
            results.append(Result(name, err is None, msg))
            if err:
                print("----- output of %r:\n%s-----" % (step.command, out[-3000:]))
        ok, detail = fsck_image(m)
        results.append(Result(pending.pop(0), ok, detail))
    except (MachineError, subprocess.CalledProcessError) as e:
        for name in pending[:1]:
            results.append(Result(name, False, str(e)))
        for name in pending[1:]:
            results.append(Result(name, False, "not run: session died"))
    finally:
        if m:
            m.stop()
        if log:
            log.close()


# ---- file system consistency (docs/crash.md) ----

def fsck_image(m):
    """Stop the machine and check the image it leaves with mkfs/fsck. A
    session that ended in a panic on purpose stopped like a crash: boot the
    image once more first, so that the log is recovered. Returns whether
    fsck found it clean, and what fsck said."""
    m.halt()
    if re.search(r"^panic", m.out, re.M):
        r = Machine(cpus=1, image=m.disk, inplace=True)
        try:
            r.boot()
        finally:
            r.halt()
    p = subprocess.run([os.path.join(ROOT, "mkfs", "fsck"), m.disk],
                       capture_output=True, text=True)
    out = (p.stdout + p.stderr).replace(m.disk + ": ", "").strip()
    return p.returncode == 0, out.splitlines()[-1] if p.returncode == 0 else out[-2000:]


# A tool run as a test: it passes if it exits with 0.
CrashTest = collections.namedtuple("CrashTest", "name command")

# The controls of fsck, a short crash test, and its control: with the log
# left unrecovered, the crash test must find problems.
CRASH_TESTS = [
    CrashTest("crash/fsck-controls", ["tools/fscktest.py"]),
    CrashTest("crash/crashtest", ["tools/crashtest.py", "--crashes", "20", "--jobs", "2"]),
    CrashTest("crash/control-no-recovery",
              ["tools/crashtest.py", "--crashes", "10", "--jobs", "2", "--control-no-recovery"]),
]


def run_crash_tests(tests, results):
    for t in tests:
        p = subprocess.run([sys.executable] + t.command, cwd=ROOT, capture_output=True,
                           text=True)
        lines = (p.stdout + p.stderr).strip().splitlines() or ["no output"]
        results.append(Result(t.name, p.returncode == 0, lines[-1]))
        if p.returncode != 0:
            print("----- output of %s:\n%s\n-----" % (" ".join(t.command),
                                                     "\n".join(lines)[-3000:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", dest="keyword",
                    help="only the sessions (whole) and crash tests that have a test "
                    "whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("--log", metavar="DIR", help="write console logs into DIR")
    ap.add_argument("--host", action="store_true", help="also run the host-side tests")
    args = ap.parse_args()

    sessions = [s for s in SESSIONS
                if not args.keyword or any(args.keyword in n for n in s.test_names())]
    crash = [t for t in CRASH_TESTS if not args.keyword or args.keyword in t.name]
    if args.list:
        for s in sessions:
            print("\n".join(s.test_names()))
        print("\n".join(t.name for t in crash))
        return 0
    if args.log:
        os.makedirs(args.log, exist_ok=True)

    # Every declared check must report: a count that differs means some
    # were dropped (or reported twice) without a failure to show for it.
    declared = [n for s in sessions for n in s.test_names()] + [t.name for t in crash]
    host = host_checks() if args.host else []
    results = []
    for s in sessions:
        first = len(results)
        print("== %s (CPUS=%d%s)" % (s.name, s.cpus, "".join(" " + b for b in s.build)),
              flush=True)
        run_session(s, args.log, results)
        for r in results[first:]:
            print_result(r)

    if crash:
        first = len(results)
        print("== crash test (tools/fscktest.py, tools/crashtest.py)", flush=True)
        run_crash_tests(crash, results)
        for r in results[first:]:
            print_result(r)

    if args.host:
        first = len(results)
        print("== host-side tests (tests/host/run.py)", flush=True)
        run_host_tests(host, results)
        for r in results[first:]:
            print_result(r)

    if len(results) != len(declared) + len(host):
        results.append(Result("runtests/count", False, "%d checks declared, %d reported"
                              % (len(declared) + len(host), len(results))))
        print_result(results[-1])
    return 1 if print_summary(results) else 0


if __name__ == "__main__":
    sys.exit(main())
