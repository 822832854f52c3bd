#!/usr/bin/env python3
"""The lock order the lock-order checker (make LOCKDEP=1, kernel/lockdep.c)
sees, as a picture.

    tools/lockdep.py graph   boot the LOCKDEP kernel at CPUS=3, run
                             usertests -q, read the lock order it saw
                             (lockdep -g) and draw it with Graphviz's dot:
                             docs/lock-graph.dot and docs/lock-graph.svg;
                             print the numbers of classes and dependencies
                             and the longest chain (make lock-graph)

The checker's cost is measured by tools/bench.py lockdep.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import ROOT, Machine, build_kernel  # noqa: E402
from bench import usertests  # noqa: E402

CPUS = 3
CLASS = re.compile(r"^class (\S+)$", re.M)
EDGE = re.compile(r"^(\S+) -> (\S+)\s+(\S+) -> (\S+)$", re.M)
# Numbered locks (kmem0..7, bcache0..36) are drawn as one node each.
NUMBERED = re.compile(r"^(spin:(?:kmem|bcache))\d+$")


def longest_chain(nodes, edges):
    """The longest path of the acyclic graph, as a list of nodes."""
    succ = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    best = {}

    def longest_from(n):
        if n not in best:
            tails = [longest_from(m) for m in succ[n]]
            best[n] = [n] + max(tails, key=len, default=[])
        return best[n]

    sys.setrecursionlimit(10000)
    return max((longest_from(n) for n in nodes), key=len, default=[])


def merged(name):
    m = NUMBERED.match(name)
    return m.group(1) + "*" if m else name


def dot_source(nodes, edges):
    """The graph in dot's language; edges maps each (a, b) to its call sites."""
    kinds = {"spin": "box", "sleep": "ellipse", "rw": "diamond"}
    lines = [
        "// The kernel's lock order, as make LOCKDEP=1 saw it over usertests -q",
        "// (tools/lockdep.py graph). An arrow A -> B: B was taken while A was held.",
        "digraph locks {",
        '  label="The lock order seen over usertests -q at CPUS=%d (make lock-graph).\\n'
        'A -> B: a B was taken while an A was held. Boxes are spinlocks, ellipses sleep '
        'locks;\\nkmem* and bcache* stand for the numbered locks kmem0.. and bcache0.., '
        '/1 for a declared nesting one deep.";' % CPUS,
        '  labelloc=t; fontsize=12; node [fontsize=11]; edge [arrowsize=0.7];',
    ]
    for n in sorted(nodes):
        kind, name = n.split(":", 1)
        lines.append('  "%s" [label="%s", shape=%s];' % (n, name, kinds.get(kind, "box")))
    for (a, b), sites in sorted(edges.items()):
        lines.append('  "%s" -> "%s" [tooltip="%s"];' % (a, b, sites))
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph():
    kernel = build_kernel("LOCKDEP=1")
    with Machine(cpus=CPUS, kernel=kernel) as m:
        m.boot()
        usertests(m)
        out = m.run("lockdep -g", timeout=120)
    state = out.splitlines()[0] if out else ""
    if not state.startswith("lockdep: on, reports: 0"):
        raise SystemExit("the checker reported something: " + state)
    classes = CLASS.findall(out)
    edges = [(a, b) for a, b, _, _ in EDGE.findall(out)]
    chain = longest_chain(classes, edges)
    print("%d classes, %d dependencies; the longest chain has %d locks:\n  %s"
          % (len(classes), len(edges), len(chain), " -> ".join(chain)))

    nodes = {merged(c) for c in classes}
    drawn = {}
    for a, b, sa, sb in EDGE.findall(out):
        key = (merged(a), merged(b))
        drawn.setdefault(key, "first: %s then %s" % (sa, sb))
    chain = longest_chain(nodes, [e for e in drawn if e[0] != e[1]])
    print("with numbered locks as one: %d classes, %d dependencies; longest chain %d:\n  %s"
          % (len(nodes), len(drawn), len(chain), " -> ".join(chain)))

    src = os.path.join(ROOT, "docs", "lock-graph.dot")
    with open(src, "w") as f:
        f.write(dot_source(nodes, drawn))
    subprocess.run(["dot", "-Tsvg", "-o", os.path.join(ROOT, "docs", "lock-graph.svg"), src],
                   check=True)
    print("wrote docs/lock-graph.dot and docs/lock-graph.svg")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] != "graph":
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(graph())
