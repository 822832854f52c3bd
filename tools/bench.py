#!/usr/bin/env python3
"""Benchmarks under QEMU.

Scalability: build the kernel with each alternative of a subsystem, boot it
at CPUS=1..4, run the subsystem's test program, and write a table of what
it measured (lock contention, acquires, time per test).

    tools/bench.py kalloc     -> docs/bench-kalloc.md  (KALLOC=percpu|global, kalloctest)
    tools/bench.py bcache     -> docs/bench-bcache.md  (BCACHE=bucket|global, bcachetest)

Times are in ticks of the guest clock (1/10 s, which QEMU takes from the
host's clock): this machine is shared, so they vary from run to run; the
spin counts are what the benchmark is about.

The cost of a debug build: usertests -q's wall time at CPUS=3 with and
without it, BENCH_RUNS (3) runs of each, alternating.

    tools/bench.py lockdep    -> docs/bench-lockdep.md (LOCKDEP=1)
    tools/bench.py kcsan      -> docs/bench-kcsan.md   (KCSAN=1)
"""

import os
import platform
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import ROOT, Machine, MachineError, build_kernel  # noqa: E402

BENCHES = {
    "kalloc": dict(var="KALLOC", variants=["percpu", "global"], program="kalloctest",
                   tests=["test1", "test2", "test3"], locks="kmem",
                   out="docs/bench-kalloc.md", timeout=1800),
    "bcache": dict(var="BCACHE", variants=["bucket", "global"], program="bcachetest",
                   tests=["test0", "test1", "test2", "test3"], locks="bcache",
                   out="docs/bench-bcache.md", timeout=1800),
}
CPUS = [1, 2, 3, 4]

COSTS = {
    "lockdep": dict(setting="LOCKDEP=1", title="The lock-order checker's cost",
                    what="the checker", out="docs/bench-lockdep.md"),
    "kcsan": dict(setting="KCSAN=1", title="The race detector's cost",
                  what="the race detector (at its default sampling)",
                  out="docs/bench-kcsan.md"),
}
COST_CPUS = 3

# The test programs print one line per test: "testN: tot growth G, T ticks".
RESULT = re.compile(r"^(test\d+): tot growth (-?\d+), (\d+) ticks", re.M)
LOCKLINE = re.compile(r"^lock: (\S+): #test-and-set (\d+) #acquire\(\) (\d+)", re.M)


def acquires(out, prefix):
    """Acquires of the benchmarked locks, from the statistics report's first section."""
    section = out.split("--- top 5")[0]
    return sum(int(m.group(3)) for m in LOCKLINE.finditer(section)
               if m.group(1).startswith(prefix))


def run_one(kernel, cpus, b):
    t0 = time.time()
    with Machine(cpus=cpus, kernel=kernel) as m:
        m.boot()
        out = m.run(b["program"], timeout=b["timeout"])
    wall = time.time() - t0
    got = {t: (int(g), int(ticks)) for t, g, ticks in RESULT.findall(out)}
    status = "ok" if not re.search(r"FAIL", out) else "FAILED"
    return got, acquires(out, b["locks"]), wall, status


def usertests(m):
    """Run usertests -q on machine m; its wall time in seconds."""
    t0 = time.time()
    out = m.run("usertests -q", timeout=2400)
    if "ALL TESTS PASSED" not in out:
        raise SystemExit("usertests -q failed:\n" + out[-2000:])
    return time.time() - t0


def cost(name):
    c = COSTS[name]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    with_it = "with " + c["setting"]
    kernels = {"without": build_kernel(), with_it: build_kernel(c["setting"])}
    times = {k: [] for k in kernels}
    for i in range(runs):
        for label, kernel in kernels.items():
            with Machine(cpus=COST_CPUS, kernel=kernel) as m:
                m.boot()
                times[label].append(usertests(m))
            print("run %d, %s: %.1f s" % (i + 1, label, times[label][-1]), flush=True)
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    ratio = med[with_it] / med["without"]
    lines = [
        "# %s" % c["title"],
        "",
        "Measured by `make bench-%s` (tools/bench.py %s) on %s, %s, %d host cores:"
        % (name, name, time.strftime("%Y-%m-%d"), platform.machine(), os.cpu_count()),
        "the wall time of `usertests -q` at CPUS=%d, from the command to the next prompt," % COST_CPUS,
        "%d runs of each kernel, alternating so that a slow spell of the shared machine" % runs,
        "hits both alike.",
        "",
        "| kernel | runs (s) | median (s) |",
        "|---|---|---|",
    ]
    for label, v in times.items():
        lines.append("| %s | %s | %.1f |" % (label, ", ".join("%.1f" % t for t in v), med[label]))
    lines += ["", "With %s, usertests -q took %.2f times as long." % (c["what"], ratio)]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(ROOT, c["out"]), "w") as f:
        f.write(text)
    print(text)
    return 0


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in list(BENCHES) + list(COSTS):
        print("usage: bench.py kalloc|bcache|lockdep|kcsan", file=sys.stderr)
        return 2
    name = sys.argv[1]
    if name in COSTS:
        return cost(name)
    b = BENCHES[name]
    rows = []
    for variant in b["variants"]:
        kernel = build_kernel("%s=%s" % (b["var"], variant))
        for cpus in CPUS:
            print("== %s=%s CPUS=%d" % (b["var"], variant, cpus), flush=True)
            try:
                got, acq, wall, status = run_one(kernel, cpus, b)
            except MachineError as e:
                got, acq, wall, status = {}, 0, 0.0, "died: " + str(e).splitlines()[0]
            print("   %s %s acquires=%d wall=%.0fs %s" % (got, b["locks"], acq, wall, status),
                  flush=True)
            rows.append((variant, cpus, got, acq, wall, status))

    head = ["%s" % b["var"], "CPUS"]
    for t in b["tests"]:
        head += ["%s tot growth" % t, "%s ticks" % t]
    head += ["%s* acquires" % b["locks"], "wall s", "result"]
    lines = [
        "# %s benchmark" % b["program"],
        "",
        "Measured by `make bench-%s` (tools/bench.py) on %s, %s, %d host cores, QEMU %s."
        % (name, time.strftime("%Y-%m-%d"), platform.machine(), os.cpu_count(),
           subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.split()[3]),
        "`tot growth` is the growth of the statistics report's `tot=` (failed test-and-set",
        "attempts on the %s locks) during the test; ticks are 1/10 s of guest time;" % b["locks"],
        "acquires are those of the %s locks since boot, read after the run." % b["locks"],
        "QEMU emulates every hart on this machine's %d cores, so times at CPUS > %d"
        % (os.cpu_count(), os.cpu_count()),
        "measure the emulator as much as the kernel.",
        "`FAILED` means the program said a test failed: for the single-lock baseline that is",
        "expected, since the tests' limits on `tot` growth are what the baseline cannot meet.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for variant, cpus, got, acq, wall, status in rows:
        cells = [variant, str(cpus)]
        for t in b["tests"]:
            g = got.get(t)
            cells += [str(g[0]) if g else "-", str(g[1]) if g else "-"]
        cells += [str(acq), "%.0f" % wall, status]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(ROOT, b["out"]), "w") as f:
        f.write(text)
    print(text)
    # The baseline is meant to fail the contention limits; the benchmark
    # itself fails only if a machine died or the real implementation failed.
    real = b["variants"][0]
    return 0 if all(r[5] == "ok" or (r[0] != real and r[5] == "FAILED") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
