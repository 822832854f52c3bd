"""Drive the kernel under QEMU: boot a fresh copy of fs.img, type commands at
the shell, and collect what they print.

Used by the test runner (runtests.py), the grader (grade.py), the benchmarks
(bench.py) and the stress target. Python 3 standard library only.

    with Machine(cpus=3) as m:
        m.boot()
        out = m.run("echo hi | wc")
"""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = "$ "


def build_kernel(*settings):
    """Build the kernel that make variables such as "KALLOC=global" or
    "LOCKDEP=1" choose, and fs.img; return the kernel's path. Each choice
    has a file of its own, so this leaves the default kernel alone."""
    p = subprocess.run(["make", "-s", "kernelpath"] + list(settings), cwd=ROOT,
                       stdout=subprocess.PIPE, text=True, check=True)
    return os.path.join(ROOT, p.stdout.split()[-1])


class MachineError(Exception):
    """The machine panicked, hung, or QEMU died."""


def qemu_command(kernel, image, cpus):
    """The QEMU command line of docs/ABI.md for this kernel, image and number
    of harts, from the Makefile, which `make qemu` runs too."""
    p = subprocess.run(["make", "-s", "--no-print-directory", "qemu-command",
                        "KERNEL=" + kernel, "FSIMG=" + image, "CPUS=%d" % cpus],
                       cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
    return shlex.split(p.stdout)


class Machine:
    """One QEMU run on a private copy of the file system image, or with
    inplace=True on the image itself."""

    def __init__(self, cpus=3, kernel=None, image=None, log=None, inplace=False):
        self.cpus = cpus
        self.kernel = kernel or os.path.join(ROOT, "kernel", "kernel")
        self.image = image or os.path.join(ROOT, "fs.img")
        self.log = log                  # file object that gets all output, or None
        self.inplace = inplace
        self.disk = None                # the image file QEMU runs on
        self.proc = None
        self.tmpdir = None
        self.out = ""                   # everything the machine printed so far
        self.cond = threading.Condition()
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if self.inplace:
            self.disk = self.image
        else:
            self.tmpdir = tempfile.mkdtemp(prefix="xv6test-")
            self.disk = os.path.join(self.tmpdir, "fs.img")
            shutil.copyfile(self.image, self.disk)
        self.proc = subprocess.Popen(
            qemu_command(self.kernel, self.disk, self.cpus),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, bufsize=0)
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            data = self.proc.stdout.read(4096)
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                text = data.decode("utf-8", "replace").replace("\r", "")
                self.out += text
                if self.log:
                    self.log.write(text)
                    self.log.flush()
                self.cond.notify_all()

    def halt(self):
        """Stop QEMU, keeping the image it ran on (self.disk)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()

    def stop(self):
        """Stop QEMU and remove the private copy of the image."""
        self.halt()
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def check_alive(self, since=0):
        """Raise if the output since `since` shows a panic or QEMU exited."""
        m = re.search(r"panic[^\n]*", self.out[since:])
        if m:
            raise MachineError("kernel %s" % m.group(0).strip())
        if self.eof:
            raise MachineError("QEMU exited")

    def expect(self, pattern, timeout, since=0, quiet=0.0):
        """Wait until the output after offset `since` matches the regular
        expression, then for `quiet` seconds without further output; return
        the match. Raises MachineError on panic, QEMU exit or timeout."""
        rx = re.compile(pattern, re.S)
        deadline = time.time() + timeout
        with self.cond:
            while True:
                self.check_alive(since)
                m = rx.search(self.out, since)
                if m and quiet > 0:
                    seen = len(self.out)
                    self.cond.wait(quiet)
                    if len(self.out) != seen:
                        continue
                    self.check_alive(since)
                    m = rx.search(self.out, since)
                if m:
                    return m
                left = deadline - time.time()
                if left <= 0:
                    raise MachineError("timeout after %ds waiting for %r; last output:\n%s"
                                       % (timeout, pattern, self.out[-600:]))
                self.cond.wait(min(left, 1.0))

    def settle(self, quiet, timeout):
        """Wait until the machine has printed nothing for `quiet` seconds, or
        for `timeout` seconds at most: after a panic, whose message the
        check that saw the word "panic" may have caught half printed."""
        deadline = time.time() + timeout
        with self.cond:
            while not self.eof and time.time() < deadline:
                seen = len(self.out)
                self.cond.wait(quiet)
                if len(self.out) == seen:
                    return

    def boot(self, timeout=60):
        """Start QEMU and wait for the first shell prompt; return seconds taken.
        The prompt may be anywhere in the output: on a loaded host a hart
        may say that it started after the shell printed it, or even while
        it did ("hart 1 star$ ting"), as the kernel's lines and programs'
        writes share the console."""
        t0 = time.time()
        self.start()
        self.expect(re.escape(PROMPT), timeout, quiet=0.2)
        return time.time() - t0

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, cmd, timeout=60):
        """Type a command line and return what it printed before the next
        prompt (without the echoed command line itself)."""
        start = len(self.out)
        self.send(cmd + "\n")
        m = self.expect(r"\n" + re.escape(PROMPT) + r"$", timeout, since=start, quiet=0.3)
        text = self.out[start:m.start() + 1]
        echo = cmd + "\n"
        if text.startswith(echo):
            text = text[len(echo):]
        return text
