#!/usr/bin/env python3
"""The crash test (make crashtest; docs/crash.md): cut the power at disk
writes spread over a workload, recover, and check what is left.

For each cut point, on a fresh image holding init, sh, crashwork and
crashcheck:
  1. boot the CRASH=1 kernel (kernel/crash.c) with a plan in block 0 that
     says after which disk write to cut the power, and whether to tear that
     write (only its first sector reaches the disk); run crashwork;
     QEMU stops at the cut;
  2. if the log holds committed operations, boot the CRASH=1 kernel again
     and cut the power during recovery, after one of its writes;
  3. boot the ordinary kernel on the same image: it recovers the log and
     frees orphans; run crashcheck, which checks that every worker's files
     hold a prefix of its script's operations, whole;
  4. stop QEMU and run mkfs/fsck on the image.
A first run with a plan that cuts nothing counts the workload's writes.

Prints one line per cut point with a problem, a summary, and last
    crashtest: N crashes, K inconsistent, L operations torn
where K counts the cut points with any problem but torn operations (a
crashcheck or fsck complaint, a panic, a hang) and L the operations that
crashcheck found landed in part. Exits 1 unless K and L are both 0.

With --control-no-recovery the log header is erased after each cut, as if
the kernel did not recover: the test must then find problems, and exits 1
if it finds none. That control also damages the files of a whole run in
three ways, each of which crashcheck must report.

    tools/crashtest.py --crashes 200
    tools/crashtest.py --crashes 20 --kernel path/to/crash/kernel
"""

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from xv6 import ROOT, Machine, MachineError, build_kernel  # noqa: E402

BSIZE = 1024
# The test's image: what it runs, and what crashcheck's control damages with.
PROGRAMS = ["build/fs/_init", "build/fs/_sh", "build/fs/_crashwork", "build/fs/_crashcheck",
            "build/fs/_echo", "build/fs/_ln", "build/fs/_rm"]
FSCK = os.path.join(ROOT, "mkfs", "fsck")
BOOT_TIMEOUT = 60
WORK_TIMEOUT = 120


def make_image(path):
    p = subprocess.run([os.path.join(ROOT, "mkfs", "mkfs"), path] +
                       [os.path.join(ROOT, f) for f in PROGRAMS],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("crashtest: mkfs failed:\n" + p.stderr)


def write_plan(image, cut, torn):
    """The plan kernel/crash.c reads from block 0."""
    with open(image, "r+b") as f:
        f.write(struct.pack("<8sII", b"crashcut", cut, 1 if torn else 0))


def superblock(image):
    with open(image, "rb") as f:
        f.seek(BSIZE)
        names = "magic size nblocks ninodes nlog logstart inodestart bmapstart"
        return dict(zip(names.split(), struct.unpack("<8I", f.read(32))))


def logged(image):
    """How many blocks the log header lists."""
    with open(image, "rb") as f:
        f.seek(superblock(image)["logstart"] * BSIZE)
        return struct.unpack("<I", f.read(4))[0]


def erase_log_header(image):
    """For the control: forget the committed operations the log holds."""
    with open(image, "r+b") as f:
        f.seek(superblock(image)["logstart"] * BSIZE)
        f.write(b"\0" * 4)


def run_crash_kernel(kernel, image, cpus, command=None):
    """Boot the CRASH kernel on image and run command, until the power cut
    or the command's end. Returns the console output."""
    m = Machine(cpus=cpus, kernel=kernel, image=image, inplace=True)
    try:
        m.boot(BOOT_TIMEOUT)
        if command:
            m.run(command, timeout=WORK_TIMEOUT)
    except MachineError:
        if not (m.eof and "crash: power cut" in m.out):
            raise
    finally:
        m.halt()
    return m.out


def run_check(image, cpus):
    """Boot the ordinary kernel on image, run crashcheck, stop. Returns the
    console output."""
    m = Machine(cpus=cpus, image=image, inplace=True)
    try:
        m.boot(BOOT_TIMEOUT)
        m.run("crashcheck", timeout=WORK_TIMEOUT)
        return m.out
    finally:
        m.halt()


def run_fsck(image):
    p = subprocess.run([FSCK, image], capture_output=True, text=True)
    lines = [line.replace(image + ": ", "") for line in p.stdout.splitlines()]
    return p.returncode == 0, lines + p.stderr.splitlines()


class Point:
    """One cut point and what it found."""

    def __init__(self, cut, torn):
        self.cut = cut
        self.torn = torn
        self.block = None           # the block of the cut write, if the cut came
        self.recut = None           # the write of recovery cut in its turn, if any
        self.recovered = 0          # blocks the log replayed at the next boot
        self.orphans = 0            # inodes freed at the next boot
        self.torn_ops = []          # crashcheck's "torn" lines
        self.problems = []          # everything else that is wrong

    def describe(self):
        what = "cut after write %d%s" % (self.cut, " (torn)" if self.torn else "")
        if self.block is None:
            what += ": the workload ended first"
        if self.recut:
            what += ", then after write %d of recovery" % self.recut
        return what


def run_point(pt, base, tmpdir, cpus, kernel, control, keep):
    image = os.path.join(tmpdir, "cut%d-%d.img" % (pt.cut, pt.torn))
    shutil.copyfile(base, image)
    write_plan(image, pt.cut, pt.torn)
    stage = "the boot with the cut"
    try:
        out = run_crash_kernel(kernel, image, cpus, "crashwork")
        m = re.search(r"crash: power cut after write \d+ block (\d+)", out)
        if m:
            pt.block = int(m.group(1))
        elif "crashwork: done" not in out:
            pt.problems.append("crashwork did not finish and the power was not cut")
        if control:
            erase_log_header(image)
        n = logged(image)
        if n > 0:
            # Recovery must survive a cut too: cut it after one of its n
            # writes home (its last write, n + 1, empties the header).
            stage = "the boot cut during recovery"
            pt.recut = 1 + pt.cut % n
            write_plan(image, pt.recut, pt.torn)
            if "crash: power cut" not in run_crash_kernel(kernel, image, cpus):
                pt.problems.append("recovery ended before its planned cut")
        stage = "the boot after the cut"
        out = run_check(image, cpus)
    except MachineError as e:
        pt.problems.append("%s: %s" % (stage, " | ".join(str(e).splitlines()[-8:])))
    else:
        m = re.search(r"log: recovering (\d+) blocks", out)
        pt.recovered = int(m.group(1)) if m else 0
        pt.orphans = len(re.findall(r"fs: freeing orphan inode", out))
        pt.torn_ops = re.findall(r"crashcheck: torn: (.*)", out)
        pt.problems += re.findall(r"crashcheck: (bad: .*)", out)
        if not re.search(r"crashcheck: (ok|\d+ problems)", out):
            pt.problems.append("crashcheck did not finish")
        ok, lines = run_fsck(image)
        if not ok:
            pt.problems += lines
    if (pt.problems or pt.torn_ops) and keep:
        shutil.copyfile(image, os.path.join(keep, os.path.basename(image)))
    os.remove(image)
    return pt


def count_writes(base, tmpdir, cpus, kernel):
    """Run the workload once without a cut; return the block number of each
    disk write, in order, and the image it leaves. The whole run must also
    pass crashcheck."""
    image = os.path.join(tmpdir, "count.img")
    shutil.copyfile(base, image)
    write_plan(image, 0, False)
    out = run_crash_kernel(kernel, image, cpus, "crashwork")
    if "crashwork: done" not in out:
        sys.exit("crashtest: the workload does not run to its end:\n" + out[-2000:])
    blocks = [int(b) for b in re.findall(r"crash: write \d+ block (\d+)", out)]
    out = run_check(image, cpus)
    if "crashcheck: ok" not in out:
        sys.exit("crashtest: crashcheck fails without a crash:\n" + out[-2000:])
    return blocks, image


# crashcheck's control: damage the files of a whole run in three ways
# (shell command, what crashcheck must say).
DAMAGES = [
    ("rm /cw/1d", r"bad: worker 1 after \d+ operations: d: missing"),
    ("echo x > /cw/2b", r"bad: worker 2 after \d+ operations: b: size 2, should be 1000"),
    ("ln /cw/3b /cw/3e", r"bad: worker 3 after \d+ operations: e: should not exist"),
]


def check_damaged(image, cpus):
    """Return the damages crashcheck did not find."""
    m = Machine(cpus=cpus, image=image, inplace=True)
    try:
        m.boot(BOOT_TIMEOUT)
        for cmd, _ in DAMAGES:
            m.run(cmd)
        out = m.run("crashcheck", timeout=WORK_TIMEOUT)
    finally:
        m.halt()
    return [cmd for cmd, expect in DAMAGES if not re.search(expect, out)]


def kind(block, sb):
    """Where a write went."""
    if block == sb["logstart"]:
        return "log header"
    if sb["logstart"] < block < sb["logstart"] + sb["nlog"]:
        return "log"
    return "home"


def choose(blocks, n, control, sb):
    """n cut points spread evenly over the writes, every other one torn.
    The control cuts only at writes to home locations, where recovery has
    work to do."""
    writes = [i + 1 for i, b in enumerate(blocks) if not control or kind(b, sb) == "home"]
    return [Point(writes[k * len(writes) // n], k % 2 == 1) for k in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crashes", type=int, default=200, help="cut points (default 200)")
    ap.add_argument("--cpus", type=int, default=2, help="harts of each boot (default 2)")
    ap.add_argument("--jobs", type=int, default=1, help="cut points run at once (default 1)")
    ap.add_argument("--kernel", help="the CRASH=1 kernel (default: make -s kernelpath CRASH=1)")
    ap.add_argument("--keep", metavar="DIR", help="keep the images of failed cut points in DIR")
    ap.add_argument("--control-no-recovery", dest="control", action="store_true",
                    help="erase the log header after each cut: must find problems")
    args = ap.parse_args()

    t0 = time.time()
    kernel = args.kernel or build_kernel("CRASH=1")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix="crashtest-")
    try:
        base = os.path.join(tmpdir, "base.img")
        make_image(base)
        sb = superblock(base)
        blocks, whole = count_writes(base, tmpdir, args.cpus, kernel)
        missed = check_damaged(whole, args.cpus) if args.control else []
        kinds = [kind(b, sb) for b in blocks]
        # Each commit writes the header twice; recovery at boot once.
        print("crashtest: the workload makes %d disk writes in %d commits "
              "(%d to the log, %d to the log header, %d home)"
              % (len(blocks), (kinds.count("log header") - 1) // 2, kinds.count("log"),
                 kinds.count("log header"), kinds.count("home")), flush=True)
        points = choose(blocks, args.crashes, args.control, sb)
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [pool.submit(run_point, pt, base, tmpdir, args.cpus, kernel,
                                   args.control, args.keep) for pt in points]
            for f in futures:
                pt = f.result()
                for line in pt.torn_ops:
                    print("crashtest: %s: torn: %s" % (pt.describe(), line), flush=True)
                for line in pt.problems:
                    print("crashtest: %s: %s" % (pt.describe(), line), flush=True)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    cut = [pt for pt in points if pt.block is not None]
    cutkinds = [kind(pt.block, sb) for pt in cut]
    inconsistent = sum(1 for pt in points if pt.problems)
    torn = sum(len(pt.torn_ops) for pt in points)
    print("crashtest: cuts after a write to the log %d, the log header %d, a home block %d; "
          "%d torn; the workload ended first %d times"
          % (cutkinds.count("log"), cutkinds.count("log header"), cutkinds.count("home"),
             sum(1 for pt in cut if pt.torn), len(points) - len(cut)))
    print("crashtest: recovery was cut in its turn after %d cuts, and replayed the log "
          "after %d; %d orphan inodes freed"
          % (sum(1 for pt in points if pt.recut), sum(1 for pt in points if pt.recovered),
             sum(pt.orphans for pt in points)))
    print("crashtest: %.0f seconds" % (time.time() - t0))
    if args.control:
        print("crashtest: control, damaged files: crashcheck found %d of %d%s"
              % (len(DAMAGES) - len(missed), len(DAMAGES),
                 "".join("; missed: " + cmd for cmd in missed)))
        print("crashtest: control, log not recovered: %d crashes, %d inconsistent, "
              "%d operations torn" % (len(points), inconsistent, torn))
        return 0 if inconsistent + torn > 0 and not missed else 1
    print("crashtest: %d crashes, %d inconsistent, %d operations torn"
          % (len(points), inconsistent, torn))
    return 1 if inconsistent or torn else 0


if __name__ == "__main__":
    sys.exit(main())
