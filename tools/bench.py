#!/usr/bin/env python3
"""Benchmarks under QEMU.

Scalability: build the kernel with each alternative of a subsystem, boot it
at CPUS=1..4, BENCH_BOOTS times each, run the subsystem's test program, and
write a table of what it measured (lock contention, acquires, time per
test): the median of the boots, with the least and the most.

    tools/bench.py kalloc     -> docs/bench-kalloc.md  (KALLOC=percpu|global, kalloctest)
    tools/bench.py bcache     -> docs/bench-bcache.md  (BCACHE=bucket|global, bcachetest)
    tools/bench.py all        -> docs/bench.md and its plots in docs/bench/ (make bench):
                                 both benchmarks under lockstat, several boots per
                                 point; the lock classes that wait most in
                                 kalloctest, bcachetest and usertests -q; and what
                                 profiling costs

Times are in ticks of the guest clock (1/10 s, which QEMU takes from the
host's clock): this machine is shared, so they vary from run to run; the
spin counts are what the benchmark is about.

The cost of a debug build: usertests -q's wall time at CPUS=3 with and
without it, BENCH_RUNS (3) runs of each, alternating.

    tools/bench.py lockdep    -> docs/bench-lockdep.md (LOCKDEP=1)
    tools/bench.py kcsan      -> docs/bench-kcsan.md   (KCSAN=1)

Environment: BENCH_BOOTS boots per point (default 3) and BENCH_CPUS the
harts to try (default "1 2 3 4"), for kalloc, bcache and all; for all,
BENCH_PARTS a subset of "kalloc bcache lockstat cost" (default all of them),
to check the benchmark quickly.
"""

import collections
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import ROOT, Machine, MachineError, build_kernel  # noqa: E402

BENCHES = {
    "kalloc": dict(var="KALLOC", variants=["percpu", "global"], program="kalloctest",
                   tests=["test1", "test2", "test3", "test4"], locks="kmem",
                   out="docs/bench-kalloc.md", timeout=1800),
    "bcache": dict(var="BCACHE", variants=["bucket", "global"], program="bcachetest",
                   tests=["test0", "test1", "test2", "test3"], locks="bcache",
                   out="docs/bench-bcache.md", timeout=1800),
}
CPUS = [int(c) for c in os.environ.get("BENCH_CPUS", "1 2 3 4").split()]

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


# What a command printed, and the seconds it took.
Console = collections.namedtuple("Console", "out seconds")
# What a test program said of one of its tests.
Figures = collections.namedtuple("Figures", "growth ticks")
# A run of a benchmark's program on a fresh boot: the Figures of each test
# by name, the benchmarked locks' acquires, seconds, "ok" or "FAILED" (or
# why the machine died), and the output.
BenchRun = collections.namedtuple("BenchRun", "got acquires wall status out")
# A point of a table: a variant at a number of harts, and its BenchRuns.
Row = collections.namedtuple("Row", "variant cpus runs")


def boot_and_run(kernel, cpus, commands, timeout):
    """Boot a fresh machine and type each command; return the Console of the
    last one."""
    with Machine(cpus=cpus, kernel=kernel) as m:
        m.boot()
        for cmd in commands:
            t0 = time.time()
            out = m.run(cmd, timeout=timeout)
    return Console(out, time.time() - t0)


def run_one(kernel, cpus, b, command=None):
    """Run the benchmark's program (or command) on a fresh boot; return its
    BenchRun."""
    out, wall = boot_and_run(kernel, cpus, [command or b["program"]], b["timeout"])
    got = {t: Figures(int(g), int(ticks)) for t, g, ticks in RESULT.findall(out)}
    status = "ok" if not re.search(r"FAIL", out) else "FAILED"
    return BenchRun(got, acquires(out, b["locks"]), wall, status, out)


def shown(got):
    """A run's figures as the progress lines show them."""
    return str({t: tuple(f) for t, f in got.items()})


def qemu_version():
    return subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.split()[3]


def usertests(m):
    """Run usertests -q on machine m; its wall time in seconds."""
    t0 = time.time()
    out = m.run("usertests -q", timeout=2400)
    if "ALL TESTS PASSED" not in out:
        raise SystemExit("usertests -q failed:\n" + out[-2000:])
    return time.time() - t0


def debug_cost(name):
    c = COSTS[name]
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    text = debug_cost_markdown(name, measure_debug_cost(c, runs), runs)
    with open(os.path.join(ROOT, c["out"]), "w") as f:
        f.write(text)
    print(text)
    return 0


def measure_debug_cost(c, runs):
    """usertests -q's seconds, runs times, on the default kernel and with
    the debug build of c, alternating; by kernel: "without", "with ..."."""
    kernels = {"without": build_kernel(), "with " + c["setting"]: build_kernel(c["setting"])}
    times = {k: [] for k in kernels}
    for i in range(runs):
        for label, kernel in kernels.items():
            with Machine(cpus=COST_CPUS, kernel=kernel) as m:
                m.boot()
                times[label].append(usertests(m))
            print("run %d, %s: %.1f s" % (i + 1, label, times[label][-1]), flush=True)
    return times


def debug_cost_markdown(name, times, runs):
    """docs/bench-NAME.md, from measure_debug_cost()'s times."""
    c = COSTS[name]
    with_it = "with " + c["setting"]
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
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in list(BENCHES) + list(COSTS) + ["all"]:
        print("usage: bench.py kalloc|bcache|all|lockdep|kcsan", file=sys.stderr)
        return 2
    name = sys.argv[1]
    if name == "all":
        return bench_all()
    if name in COSTS:
        return debug_cost(name)
    b = BENCHES[name]
    rows = measure_table(b)
    text = table_markdown(name, b, rows)
    with open(os.path.join(ROOT, b["out"]), "w") as f:
        f.write(text)
    print(text)
    # The baseline is meant to fail the contention limits; the benchmark
    # itself fails only if a machine died or the real implementation failed.
    real = b["variants"][0]
    return 0 if all(r.status == "ok" or (row.variant != real and r.status == "FAILED")
                    for row in rows for r in row.runs) else 1


def every_boot(b, command=None):
    """Run benchmark b's program (or command) with each variant at every
    CPUS, BOOTS boots each; yield (variant, CPUS, BenchRun) for each run."""
    kernels = {v: build_kernel("%s=%s" % (b["var"], v)) for v in b["variants"]}
    # Boot by boot over every variant and CPUS, so that a slow spell of the
    # shared machine hits them all alike.
    for boot in range(BOOTS):
        for cpus in CPUS:
            for v in b["variants"]:
                print("== %s=%s CPUS=%d boot %d of %d" % (b["var"], v, cpus, boot + 1, BOOTS),
                      flush=True)
                try:
                    r = run_one(kernels[v], cpus, b, command)
                except MachineError as e:
                    r = BenchRun({}, 0, 0.0, "died", "")
                    print("   died: %s" % str(e).splitlines()[0], flush=True)
                yield v, cpus, r


def measure_table(b):
    """Benchmark b with each variant at every CPUS, BOOTS boots each; return
    the Rows."""
    runs = {}
    for v, cpus, r in every_boot(b):
        print("   %s %s acquires=%d wall=%.0fs %s" % (shown(r.got), b["locks"], r.acquires,
                                                     r.wall, r.status), flush=True)
        runs.setdefault((v, cpus), []).append(r)
    return [Row(v, cpus, runs[(v, cpus)]) for v in b["variants"] for cpus in CPUS]


def table_markdown(name, b, rows):
    """docs/bench-kalloc.md or docs/bench-bcache.md, from measure_table()'s
    rows."""
    head = ["%s" % b["var"], "CPUS"]
    for t in b["tests"]:
        head += ["%s tot growth" % t, "%s ticks" % t]
    head += ["%s* acquires" % b["locks"], "wall s", "result"]
    lines = [
        "# %s benchmark" % b["program"],
        "",
        "Measured by `make bench-%s` (tools/bench.py) on %s, %s, %d host cores, QEMU %s."
        % (name, time.strftime("%Y-%m-%d"), platform.machine(), os.cpu_count(),
           qemu_version()),
        "`tot growth` is the growth of the statistics report's `tot=` (failed test-and-set",
        "attempts on the %s locks) during the test; ticks are 1/10 s of guest time;" % b["locks"],
        "acquires are those of the %s locks since boot, read after the run." % b["locks"],
        "Each figure is the median of %d boots, with the least and the most in brackets;" % BOOTS,
        "the boots went round every variant and CPUS in turn.",
        "QEMU emulates every hart on this machine's %d cores, so times at CPUS > %d"
        % (os.cpu_count(), os.cpu_count()),
        "measure the emulator as much as the kernel.",
        "`FAILED` means the program said a test failed: for the single-lock baseline that is",
        "expected, since the tests' limits on `tot` growth are what the baseline cannot meet.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for row in rows:
        cells = [row.variant, str(row.cpus)]
        for t in b["tests"]:
            got = [r.got[t] for r in row.runs if t in r.got]
            cells += [spread([g.growth for g in got]), spread([g.ticks for g in got])]
        ran = [r for r in row.runs if r.got]
        cells += [spread([r.acquires for r in ran]), spread([r.wall for r in ran]),
                  statuses(row.runs)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# ---- make bench: tools/bench.py all ----

BOOTS = int(os.environ.get("BENCH_BOOTS", "3"))
PARTS = os.environ.get("BENCH_PARTS", "kalloc bcache lockstat cost").split()
PLOTS = os.path.join(ROOT, "docs", "bench")
TOPCPUS = 3           # where the lock classes are ranked and profiling is costed
NTOP = 8              # lock classes shown per program
WAITFLOOR = 0.01      # ms: where a wait of 0 is drawn on a log scale

# A row of lockstat's table (times in us), and a site line under it.
CLASSROW = re.compile(r"^(\S+(?: \[\w+\])?) +(\d+) +(\d+) +(\d+) +(\d+\.\d) +(\d+\.\d)"
                      r" +(\d+\.\d) +(\d+\.\d)$")
WAITER = re.compile(r"^    waiter +\d+ (\S+)")


def lockstat_classes(out):
    """The lock classes in lockstat's table in out, by name: acquires,
    contentions, total and longest wait in ms, and the busiest waiter site."""
    classes, cur = {}, None
    for line in out.splitlines():
        m = CLASSROW.match(line)
        if m:
            cur = classes[m.group(1)] = dict(
                acquired=int(m.group(2)), contended=int(m.group(3)),
                wait=float(m.group(5)) / 1000, waitmax=float(m.group(6)) / 1000, site="")
            continue
        m = WAITER.match(line)
        if m and cur is not None and not cur["site"]:
            cur["site"] = m.group(1)
    return classes


def median(v):
    v = sorted(v)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def spread(v, fmt="%.0f"):
    """The median of v, with the least and the most in brackets."""
    if not v:
        return "-"
    if len(v) == 1:
        return fmt % v[0]
    return ("%s (%s–%s)" % (fmt, fmt, fmt)) % (median(v), min(v), max(v))


def statuses(runs):
    """How the BenchRuns ended, counted: "3 ok", "2 FAILED, 1 ok"."""
    return ", ".join("%d %s" % (n, st) for st, n in
                     sorted(collections.Counter(r.status for r in runs).items()))


def plot(name, script, data, height=400):
    """Draw docs/bench/NAME.svg with gnuplot: script plots the data files
    given as {file name: text}. Returns the plot's path from docs/."""
    os.makedirs(PLOTS, exist_ok=True)
    out = os.path.join(PLOTS, name + ".svg")
    head = ('set terminal svg size 960,%d dynamic noenhanced font "sans,12" background "#ffffff"\n'
            'set output "%s"\n' % (height, out))
    with tempfile.TemporaryDirectory() as d:
        for fname, text in data.items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)
        subprocess.run(["gnuplot"], input=head + script, text=True, cwd=d, check=True)
    return "bench/%s.svg" % name


# A boot of a scaling benchmark: its BenchRun, and the total wait in ms
# of the benchmarked lock classes.
ScalingRun = collections.namedtuple("ScalingRun", "run wait")


def measure_scaling(b, collected):
    """Benchmark b with both variants at every CPUS, BOOTS boots each, under
    lockstat; return the ScalingRuns by (variant, CPUS). The lock classes
    of the real variant's runs at TOPCPUS go to collected."""
    runs = {}
    for v, cpus, r in every_boot(b, "lockstat " + b["program"]):
        classes = lockstat_classes(r.out)
        wait = sum(c["wait"] for n, c in classes.items() if n.startswith(b["locks"]))
        runs.setdefault((v, cpus), []).append(ScalingRun(r, wait))
        if v == b["variants"][0] and cpus == TOPCPUS and classes:
            collected.setdefault(b["program"], []).append(classes)
        print("   %s, %s* wait %.1f ms, %.0f s, %s" % (shown(r.got), b["locks"], wait,
                                                      r.wall, r.status), flush=True)
    return runs


def scaling_ok(b, runs):
    """Whether every boot of the real variant ran its program without failing."""
    return all(r.run.status == "ok" for c in CPUS for r in runs[(b["variants"][0], c)])


def scaling_markdown(b, runs):
    """measure_scaling()'s runs as a table, and plots of contention and wait
    against CPUS; returns the lines of docs/bench.md."""
    head = [b["var"], "CPUS"] + ["%s tot growth" % t for t in b["tests"]]
    head += ["%s* wait, ms" % b["locks"], "wall s", "results"]
    lines = ["## %s: %s=%s against %s" % (b["program"], b["var"], b["variants"][0],
                                          b["variants"][1]), "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    data = {}
    for v in b["variants"]:
        points = []
        for cpus in CPUS:
            rs = runs[(v, cpus)]
            done = [r for r in rs if all(t in r.run.got for t in b["tests"])]
            cells = [v, str(cpus)]
            cells += [spread([r.run.got[t].growth for r in done]) for t in b["tests"]]
            cells += [spread([r.wait for r in done], "%.1f"), spread([r.run.wall for r in rs]),
                      statuses([r.run for r in rs])]
            lines.append("| " + " | ".join(cells) + " |")
            if done:
                # Log scales: zeros are drawn at the axes' floors.
                tot = [max(1, sum(r.run.got[t].growth for t in b["tests"])) for r in done]
                wait = [max(WAITFLOOR, r.wait) for r in done]
                points.append("%d %g %g %g %g %g %g" % (cpus, median(tot), min(tot), max(tot),
                                                       median(wait), min(wait), max(wait)))
        data[v + ".dat"] = "\n".join(points) + "\n"

    def curves(cols):
        return ", ".join('"%s.dat" using 1:%s with yerrorlines lw 2 title "%s"' % (v, cols, v)
                         for v in b["variants"])
    script = """set multiplot layout 1,2 title "%s: median of %d boots, bars from the least to the most"
set xlabel "CPUS"
set xtics 1
set xrange [%g:%g]
set logscale y
set grid ytics
set key below
set title "contention"
set ylabel "failed test-and-set attempts, all tests (0 drawn as 1)"
set yrange [1:*]
plot %s
set title "waiting"
set ylabel "wait on the %s* locks, ms (0 drawn as %g)"
set yrange [%g:*]
plot %s
unset multiplot
""" % (b["program"], BOOTS, min(CPUS) - 0.5, max(CPUS) + 0.5, curves("2:3:4"), b["locks"],
       WAITFLOOR, WAITFLOOR, curves("5:6:7"))
    svg = plot(b["program"], script, data)
    lines += ["", "![%s: contention and wait against CPUS](%s)" % (b["program"], svg), "",
              "`tot growth` is the growth of the statistics report's `tot=` during each test,",
              "the wait is lockstat's total wait time of the %s* lock classes over the whole"
              % b["locks"],
              "run. `FAILED` is expected of the single-lock baseline, which cannot meet the",
              "tests' contention limits.", ""]
    return lines


TOPPROGS = ("kalloctest", "bcachetest", "usertests -q")


def measure_topclasses(collected):
    """Run each of TOPPROGS under lockstat at TOPCPUS on the default kernel
    until collected holds the lock classes of BOOTS runs of it (the scaling
    benchmarks may have collected some already); return whether every run
    ran without failing."""
    kernel = build_kernel()
    ok = True
    for prog in TOPPROGS:
        while len(collected.get(prog, [])) < BOOTS:
            print("== lockstat %s CPUS=%d boot %d of %d" % (prog, TOPCPUS,
                  len(collected.get(prog, [])) + 1, BOOTS), flush=True)
            try:
                out, _ = boot_and_run(kernel, TOPCPUS, ["lockstat " + prog], 1800)
            except MachineError as e:
                print("   died: %s" % str(e).splitlines()[0], flush=True)
                out, ok = "", False
            ok = ok and not re.search(r"FAIL", out)
            collected.setdefault(prog, []).append(lockstat_classes(out))
    return ok


def topclasses_markdown(collected):
    """The lock classes that waited longest in each of TOPPROGS, from
    measure_topclasses()'s runs: tables, and a plot; returns the lines of
    docs/bench.md."""
    lines = ["## Where the locks wait: lockstat at CPUS=%d" % TOPCPUS, "",
             "The lock classes (at most %d) with the longest total wait, median over %d boots,"
             % (NTOP, BOOTS),
             "while each program ran under `lockstat`, with the call site where most of their",
             "waiters waited.", ""]
    data, panels = {}, []
    for prog in TOPPROGS:
        runs = collected[prog]
        names = set().union(*runs)
        wait = {n: [r[n]["wait"] if n in r else 0.0 for r in runs] for n in names}
        top = [n for n in sorted(names, key=lambda n: -median(wait[n]))
               if median(wait[n]) > 0][:NTOP]
        lines += ["### %s" % prog, "",
                  "| class | wait, ms | longest wait, ms | contended | acquired | busiest waiter site |",
                  "|---|---|---|---|---|---|"]
        rows = []
        for n in top:
            got = [r[n] for r in runs if n in r]
            sites = collections.Counter(c["site"] for c in got if c["site"])
            lines.append("| %s | %s | %s | %s | %s | %s |" % (
                n, spread(wait[n], "%.1f"), spread([c["waitmax"] for c in got], "%.1f"),
                spread([c["contended"] for c in got]), spread([c["acquired"] for c in got]),
                sites.most_common(1)[0][0] if sites else "-"))
            rows.append('"%s" %g %g %g' % (n, median(wait[n]), min(wait[n]), max(wait[n])))
        if not rows:
            lines += ["| no class waited | | | | | |", ""]
            continue
        lines.append("")
        fname = prog.split()[0] + ".dat"
        data[fname] = "\n".join(rows) + "\n"
        panels.append('set title "%s"\nplot "%s" using 0:2:xtic(1) with boxes notitle, '
                      '"" using 0:2:3:4 with yerrorbars lc rgb "black" pt -1 notitle' % (prog, fname))
    script = """set multiplot layout 3,1 title "lock classes with the longest wait at CPUS=%d, median of %d boots"
set style fill solid 0.5 border -1
set boxwidth 0.6
set xtics scale 0 font ",10"
set yrange [0:*]
set grid ytics
set ylabel "total wait, ms"
%s
unset multiplot
""" % (TOPCPUS, BOOTS, "\n".join(panels))
    svg = plot("lockclasses", script, data, height=1000)
    lines += ["![lock classes with the longest wait](%s)" % svg, ""]
    return lines


# The cost of profiling for a program: its seconds by profiling state
# ("off", "on"), and the ratios on / off pair by pair.
Cost = collections.namedtuple("Cost", "program walls ratios")


def measure_profiling_cost():
    """Wall time of kalloctest and usertests -q with profiling off and on.
    Each time two machines at TOPCPUS run the program side by side, one with
    profiling off and one with it on, so that whatever else the shared host
    does slows both alike; the ratio is taken pair by pair. Returns the
    Costs, and whether every run finished."""
    kernel = build_kernel()
    costs = []
    ok = True
    # A run counts if the program ran to its end: kalloctest's test3 may
    # fail its contention limit on a loaded host, which changes no timing.
    for prog, done in (("kalloctest", r"^test3 (OK|FAILED: tot grew by)"),
                       ("usertests -q", r"^ALL TESTS PASSED$")):
        walls = {"off": [], "on": []}
        ratios = []
        for boot in range(BOOTS):
            print("== %s, profiling off and on side by side, %d of %d" % (prog, boot + 1, BOOTS),
                  flush=True)
            got = {}

            def run(state):
                try:
                    got[state] = boot_and_run(kernel, TOPCPUS, ["lockstat -s " + state, prog],
                                              1800)
                except MachineError as e:
                    print("   %s died: %s" % (state, str(e).splitlines()[0]), flush=True)
            threads = [threading.Thread(target=run, args=(st,)) for st in ("off", "on")]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if len(got) < 2 or not all(re.search(done, c.out, re.M) for c in got.values()):
                print("   a run did not finish", flush=True)
                ok = False
                continue
            for state in got:
                walls[state].append(got[state].seconds)
            ratios.append(got["on"].seconds / got["off"].seconds)
            print("   off %.1f s, on %.1f s" % (got["off"].seconds, got["on"].seconds),
                  flush=True)
        costs.append(Cost(prog, walls, ratios))
    return costs, ok


def profiling_cost_markdown(costs):
    """measure_profiling_cost()'s Costs as the lines of docs/bench.md."""
    lines = ["## What profiling costs", "",
             "Wall time of each program on two fresh boots at CPUS=%d running side by side, one"
             % TOPCPUS,
             "after `lockstat -s off` and one after `lockstat -s on`, %d times; the ratio is"
             % BOOTS,
             "taken pair by pair. Side by side, the two share the host, so each runs slower",
             "than alone, but alike.",
             "", "| program | off, s | on, s | on / off |", "|---|---|---|---|"]
    for c in costs:
        lines.append("| %s | %s | %s | %s |" % (c.program, spread(c.walls["off"], "%.1f"),
                                                spread(c.walls["on"], "%.1f"),
                                                spread(c.ratios, "%.3f")))
    lines.append("")
    return lines


def bench_all():
    t0 = time.time()
    body, ok, collected = [], True, {}
    for part in ("kalloc", "bcache"):
        if part in PARTS:
            b = BENCHES[part]
            runs = measure_scaling(b, collected)
            body, ok = body + scaling_markdown(b, runs), ok and scaling_ok(b, runs)
    if "lockstat" in PARTS:
        good = measure_topclasses(collected)
        body, ok = body + topclasses_markdown(collected), ok and good
    if "cost" in PARTS:
        costs, good = measure_profiling_cost()
        body, ok = body + profiling_cost_markdown(costs), ok and good
    head = [
        "# Benchmarks: scaling of the allocator and the cache, where locks wait, "
        "what profiling costs",
        "",
        "Measured by `make bench` (tools/bench.py all) on %s, %s, %d host cores, QEMU %s,"
        % (time.strftime("%Y-%m-%d"), platform.machine(), os.cpu_count(), qemu_version()),
        "in %.0f minutes: BENCH_BOOTS=%d, BENCH_CPUS=\"%s\", BENCH_PARTS=\"%s\"."
        % ((time.time() - t0) / 60, BOOTS, " ".join(map(str, CPUS)), " ".join(PARTS)),
        "Each figure is the median of the boots, with the least and the most in brackets.",
        "QEMU emulates every hart on the host's %d cores, which other work shares: a hart"
        % os.cpu_count(),
        "the host deschedules while it holds a lock makes the others wait, so contention",
        "and times vary from boot to boot.",
        "",
    ]
    text = "\n".join(head + body)
    with open(os.path.join(ROOT, "docs", "bench.md"), "w") as f:
        f.write(text)
    print(text)
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
