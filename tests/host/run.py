#!/usr/bin/env python3
"""Build and run the host-side tests of kernel/kalloc.c and kernel/bio.c
(and their single-lock baselines), of the log's admission (kernel/log.c),
of kernel/rwspinlock.c, of the statistics report (kernel/lockstat.c), of
the lock profiler (kernel/lockprof.c), of the lock-order checker's graph
(kernel/lockgraph.c) and of the race detector's decisions
(kernel/kcsanwatch.h), compiled unchanged against shim.c.

    run.py test     the tests, under ThreadSanitizer and then under
                    AddressSanitizer + UndefinedBehaviorSanitizer, then the
                    comparisons of contention and the controls (locks the
                    tests must fail); prints "N passed, N failed"
    run.py list     the name of every check that run.py test reports
    run.py bench    operations per second with 1 and 2 threads, per-CPU vs
                    global allocator, bucketed vs global cache, and
                    read-write spinlock vs spinlock under mostly reads; the
                    table goes to docs/bench-host.md
"""

import collections
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from results import Result, print_result, print_summary  # noqa: E402

BUILD = os.path.join(ROOT, "build", "host")

# Each variant's kernel files; every build also links COMMON.
MODULES = {
    "kalloc": {"percpu": ["kernel/kalloc.c", "kernel/physmem.c"],
               "global": ["kernel/kalloc_global.c", "kernel/physmem.c"],
               "onepass": ["tests/host/kalloc_onepass.c", "kernel/physmem.c"]},
    "bio": {"bucket": ["kernel/bio.c", "kernel/bread.c"],
            "global": ["kernel/bio_global.c", "kernel/bread.c"]},
    "log": {"wal": ["kernel/log.c", "kernel/bio.c", "kernel/bread.c"]},
    "rwlock": {"rw": ["kernel/rwspinlock.c"], "unfair": ["tests/host/rwlock_unfair.c"]},
    "lockgraph": {"graph": ["kernel/lockgraph.c"]},
    "lockstat": {"report": []},
    "lockprof": {"kernel": []},   # lockprof.c is in COMMON
    "kcsan": {"watch": []},   # kcsanwatch.h, included by the test
}
# The graph is tested on 1000 lock classes (the kernel has 128).
MODULE_FLAGS = {"lockgraph": ["-DLOCKGRAPH_NODES=1000"]}
COMMON = ["kernel/spinlock.c", "kernel/lockhook.c", "kernel/lockstat.c", "kernel/lockprof.c"]
SANITIZERS = {
    "tsan": ["-O1", "-fsanitize=thread"],
    "asan": ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"],
    "bench": ["-O2"],
}
ENV = dict(os.environ,
           TSAN_OPTIONS="halt_on_error=1 exitcode=66",
           ASAN_OPTIONS="halt_on_error=1 detect_leaks=0",
           UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1")

# A test of a module's variants under a sanitizer, with that many threads.
# ThreadSanitizer, which is slow, runs the concurrent tests of the real
# modules; ASan+UBSan runs everything, the single-lock baselines included.
Test = collections.namedtuple("Test", "san module variants name threads")
REAL = {"kalloc": ["percpu"], "bio": ["bucket"], "rwlock": ["rw"]}
# The real modules and their single-lock baselines.
BASELINED = {"kalloc": ["percpu", "global"], "bio": ["bucket", "global"]}
TESTS = [Test("tsan", "kalloc", REAL["kalloc"], t, n)
         for t, n in (("mix", 2), ("mix", 8), ("exhaust", 8), ("steal", 8), ("scarce", 8))]
TESTS += [Test("tsan", "bio", REAL["bio"], t, n) for t, n in (("rw", 2), ("rw", 8), ("same", 8))]
TESTS += [Test("asan", "kalloc", BASELINED["kalloc"], t, n)
          for t in ("mix", "exhaust", "steal", "scarce") for n in (2, 8)]
TESTS += [Test("asan", "bio", BASELINED["bio"], t, n) for t in ("rw", "same") for n in (2, 8)]
TESTS += [Test("asan", "bio", BASELINED["bio"], t, 1) for t in ("lru", "pin", "busy")]
TESTS += [Test(san, "log", ["wal"], t, n) for san in ("tsan", "asan")
          for t, n in (("slots", 8), ("handoff", 6), ("mix", 8))]
TESTS += [Test("asan", "lockgraph", ["graph"], t, 1) for t in ("chain", "random")]
TESTS += [Test(san, "lockgraph", ["graph"], "threads", 4) for san in ("tsan", "asan")]
TESTS += [Test("asan", "lockstat", ["report"], "largest", 1)]
TESTS += [Test("tsan", "kcsan", ["watch"], "sampling", 4)]
TESTS += [Test("asan", "kcsan", ["watch"], t, 1) for t in ("sampling", "overlap", "pairs")]
TESTS += [Test("tsan", "lockprof", ["kernel"], "threads", n) for n in (1, 2, 7)]
TESTS += [Test("asan", "lockprof", ["kernel"], t, 1) for t in ("sums", "reset", "threads")]
TESTS += [Test("asan", "lockprof", ["kernel"], "threads", 7)]

TESTS += [Test("tsan", "rwlock", REAL["rwlock"], t, 8)
          for t in ("exclusion", "overlap", "priority", "turns", "starve")]
TESTS += [Test("asan", "rwlock", REAL["rwlock"], t, n)
          for t, n in (("exclusion", 2), ("exclusion", 8), ("overlap", 8), ("priority", 3),
                       ("priority", 8), ("turns", 3), ("turns", 8), ("starve", 8))]

# Controls: each runs a lock or an allocator that lacks a property the test
# checks (some chosen by the environment), so the test must fail on it,
# saying `expected`: proof that it can fail.
Control = collections.namedtuple("Control", "module variant env name threads expected")
CONTROLS = [
    Control("rwlock", "unfair", {"RWLOCK_PREFER": "readers"}, "priority", 8,
            "a reader that arrived after a waiting writer"),
    Control("rwlock", "unfair", {"RWLOCK_PREFER": "writers"}, "turns", 8,
            "writers that arrived after a waiting reader"),
    Control("rwlock", "unfair", {"RWLOCK_PREFER": "readers"}, "starve", 8, "FAIL: a thread"),
    Control("rwlock", "unfair", {"RWLOCK_PREFER": "writers"}, "starve", 8, "FAIL: a thread"),
    Control("kalloc", "onepass", {}, "scarce", 8, "kalloc returned 0 while pages were free"),
]

# Contention compared between the variants of a module, in a test of the
# ASan runs where the design says CPUs do not share a lock: the single lock
# must show contention (proof that the counting works), the real module at
# most a tenth of it. Each module's test prints its tot= as "kmem-tot=N" or
# "bcache-tot=N". How much the single lock contends depends on how often
# the host runs two of the threads at once: on a loaded machine it can be
# little, so a pair of runs that fails is tried again, up to ATTEMPTS runs.
Contention = collections.namedtuple("Contention", "module name threads")
CONTENTION = [Contention("kalloc", "own", 8), Contention("bio", "hits", 8)]
MIN_BASELINE = 100
ATTEMPTS = 3
TESTS += [Test("asan", c.module, BASELINED[c.module], c.name, c.threads)
          for c in CONTENTION]
TOT = re.compile(r"\b(?:kmem|bcache)-tot=(\d+)")


def label(t, variant):
    return "host/%s/%s-%s/%s/%d" % (t.san, t.module, variant, t.name, t.threads)


def contention_label(c):
    return "host/asan/contention/%s/%s/%d" % (c.module, c.name, c.threads)


def control_label(c):
    return "host/asan/control/%s/%s/%d" % ("/".join(["%s-%s" % (c.module, c.variant)] +
                                                     list(c.env.values())), c.name, c.threads)


def labels():
    """Every check test() reports, in order."""
    out = [label(t, v) for t in TESTS for v in t.variants]
    return out + [contention_label(c) for c in CONTENTION] + \
        [control_label(c) for c in CONTROLS]


def build(main, module, variant, san, extra=()):
    out = os.path.join(BUILD, san, "%s-%s-%s" % (main, module, variant))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = ["gcc", "-Wall", "-Werror", "-g", "-pthread", "-fno-builtin",
           "-I" + os.path.join(ROOT, "kernel"), "-I" + HERE] + SANITIZERS[san] + \
          MODULE_FLAGS.get(module, []) + [
           "-o", out, os.path.join(HERE, main + ".c"), os.path.join(HERE, "shim.c")] + [
           os.path.join(ROOT, f) for f in MODULES[module][variant] + COMMON + list(extra)]
    subprocess.run(cmd, check=True)
    return out


def report(results, ok, name, detail):
    results.append(Result(name, ok, detail))
    print_result(results[-1])


def run(binary, name, threads):
    """Run one host test; return whether it passed, what it said, and its tot
    (None if it printed none)."""
    p = subprocess.run([binary, name, str(threads)], env=ENV,
                       capture_output=True, text=True, timeout=600)
    ok = p.returncode == 0 and "Sanitizer" not in p.stderr and "PASS" in p.stdout
    detail = p.stdout.strip().replace("\n", " ")
    if not ok:
        detail = "exit %d: %s" % (p.returncode, (p.stderr or p.stdout)[-2000:])
    m = TOT.search(p.stdout)
    return ok, detail, int(m.group(1)) if ok and m else None


def compare(results, tots, bins, c):
    """The contention check c of CONTENTION: the single lock contends, the
    real module much less; the first pair of runs is the one test() made."""
    real = REAL[c.module][0]
    pair = tuple(tots.get((c.module, v, c.name, c.threads)) for v in ("global", real))
    tried = []
    for attempt in range(ATTEMPTS):
        if attempt > 0:
            pair = tuple(run(bins[("asan", c.module, v)], c.name, c.threads)[2]
                         for v in ("global", real))
        tried.append("global %s, %s %s" % (pair[0], real, pair[1]))
        ok = None not in pair and pair[0] >= MIN_BASELINE and pair[1] * 10 <= pair[0]
        if ok:
            break
    report(results, ok, contention_label(c),
           "%s (global must reach %d, %s at most a tenth of it)"
           % ("; ".join(tried), MIN_BASELINE, real))


def test():
    results = []
    t0 = time.time()
    bins = {}
    tots = {}
    for test in TESTS:
        for variant in test.variants:
            key = (test.san, test.module, variant)
            if key not in bins:
                bins[key] = build("test_" + test.module, test.module, variant, test.san)
            t = time.time()
            ok, detail, tot = run(bins[key], test.name, test.threads)
            if test.san == "asan":
                tots[(test.module, variant, test.name, test.threads)] = tot
            report(results, ok, label(test, variant), "%.1fs %s" % (time.time() - t, detail))
    for c in CONTENTION:
        compare(results, tots, bins, c)
    for c in CONTROLS:
        key = ("asan", c.module, c.variant)
        if key not in bins:
            bins[key] = build("test_" + c.module, c.module, c.variant, "asan")
        # Starving a writer takes readers that overlap, which depends on how
        # the host runs the threads: like the contention checks, a control
        # that did not fail is tried again, up to ATTEMPTS runs.
        for attempt in range(ATTEMPTS):
            p = subprocess.run([bins[key], c.name, str(c.threads)], env=dict(ENV, **c.env),
                               capture_output=True, text=True, timeout=600)
            ok = p.returncode != 0 and c.expected in p.stderr
            if ok:
                break
        detail = (p.stderr or p.stdout).strip().splitlines()
        report(results, ok, control_label(c), "must fail with %r (%d runs): %s"
               % (c.expected, attempt + 1, detail[0] if detail else "no output"))
    print("host tests took %.0fs" % (time.time() - t0))
    return 1 if print_summary(results) else 0


# A row of the host benchmark: the variant of a module (or the junk fill
# alone, or the plain spinlock) and its median operations per second by
# number of threads.
BenchRow = collections.namedtuple("BenchRow", "module what variant label rate")
# How to measure a row: the benchmark `mode` of bench_host binary `exe`.
BenchEntry = collections.namedtuple("BenchEntry", "variant label exe mode")
BENCH_MODULES = [("kalloc", "page allocator"), ("bio", "buffer cache (hits)"),
                 ("rwlock", "read-mostly lock (99% reads)")]


def bench():
    secs = os.environ.get("BENCH_SECS", "1")
    runs = int(os.environ.get("BENCH_RUNS", "9"))
    text = bench_markdown(measure(secs, runs), secs, runs)
    with open(os.path.join(ROOT, "docs", "bench-host.md"), "w") as f:
        f.write(text)
    print(text)
    return 0


def measure(secs, runs):
    """Run every benchmark of BENCH_MODULES; return its rows."""
    rows = []
    for module, what in BENCH_MODULES:
        # Every variant, and for the allocator also the junk fill alone,
        # which shows how far the machine lets it scale at that moment. The
        # read-write spinlock is compared with a plain spinlock doing the
        # same work.
        entries = []
        for variant in REAL[module] if module == "rwlock" else BASELINED[module]:
            # bench_host calls both modules: link the other one's default.
            other = [f for m in REAL if m != module for f in MODULES[m][REAL[m][0]]]
            exe = build("bench_host", module, variant, "bench", other)
            entries.append(BenchEntry(variant, "%s (%s)" % (variant, MODULES[module][variant][0]),
                                      exe, module))
        if module == "kalloc":
            entries.append(BenchEntry("fill", "junk fill alone, no allocator (the machine's "
                                      "ceiling)", entries[0].exe, "fill"))
        if module == "rwlock":
            entries.append(BenchEntry("spinlock", "spinlock (kernel/spinlock.c)", entries[0].exe,
                                      "spinlock"))
        # The machine is shared: other jobs steal time from a run now and
        # then, so take the median of several short runs, alternating the
        # rows and thread counts so that a slow spell hits all alike. (The
        # best run would flatter a single lock: its threads contend least
        # when one of them is not running.)
        samples = [{1: [], 2: []} for _ in entries]
        for _ in range(runs):
            for e, sample in zip(entries, samples):
                for threads in (1, 2):
                    p = subprocess.run([e.exe, e.mode, str(threads), secs],
                                       capture_output=True, text=True, check=True)
                    sample[threads].append(float(p.stdout.split()[1]))
        for e, sample in zip(entries, samples):
            rate = {t: sorted(v)[len(v) // 2] for t, v in sample.items()}
            rows.append(BenchRow(module, what, e.variant, e.label, rate))
            print("%s %s: %.0f ops/s with 1 thread, %.0f with 2" % (what, e.label, rate[1],
                                                                    rate[2]), flush=True)
    return rows


def bench_markdown(rows, secs, runs):
    """docs/bench-host.md, from measure()'s rows."""
    lines = [
        "# Host benchmark of the allocators, the caches and the read-write lock",
        "",
        "Measured by `make bench-host` (tests/host/run.py bench) on %s, %s, %d cores,"
        % (time.strftime("%Y-%m-%d"), platform.machine(), os.cpu_count()),
        "gcc -O2, median of %d runs of %s s each. An op is one kalloc or one kfree, one" % (runs, secs),
        "bread+brelse of a cached block, or one read (99 in 100) or update of a record",
        "of 64 words under the lock; threads play CPUs (tests/host/shim.c). The machine",
        "is shared, so the numbers move from run to run; the ratios are what matter.",
        "",
        "| module | variant | ops/s, 1 thread | ops/s, 2 threads | 2 threads / 1 thread |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append("| %s | %s | %.0f | %.0f | %.2f |" % (r.what, r.label, r.rate[1], r.rate[2],
                                                          r.rate[2] / r.rate[1]))
    rate = {(r.module, r.variant): r.rate for r in rows}
    k = {v: rate[("kalloc", v)] for v in ("percpu", "global", "fill")}
    b = {v: rate[("bio", v)] for v in ("bucket", "global")}
    rw = {v: rate[("rwlock", v)] for v in ("rw", "spinlock")}
    ceiling = k["fill"][2] / k["fill"][1]
    lines += ["",
              "With 2 threads, per-CPU / global allocator: %.2f; bucketed / global cache: %.2f;"
              % (k["percpu"][2] / k["global"][2], b["bucket"][2] / b["global"][2]),
              "read-mostly, read-write spinlock / spinlock: %.2f (with 1 thread: %.2f)."
              % (rw["rw"][2] / rw["spinlock"][2], rw["rw"][1] / rw["spinlock"][1]),
              "",
              "Filling pages with junk is most of kalloc's work, and two threads filling",
              "pages of their own, sharing nothing, did %.2f times what one did in the same"
              % ceiling,
              "runs: that is as far as any allocator could scale here. The per-CPU allocator",
              "reached %.0f%% of it." % (100 * (k["percpu"][2] / k["percpu"][1]) / ceiling)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("test", "list", "bench"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    if sys.argv[1] == "list":
        print("\n".join(labels()))
        sys.exit(0)
    sys.exit(test() if sys.argv[1] == "test" else bench())
