#!/usr/bin/env python3
"""The control of mkfs/fsck: it must find fs.img and a small image made by
mkfs clean, and find each of a list of damages, done one at a time to a
copy of the small image.

Prints "PASS name" or "FAIL name: why" per case, then "N passed, N failed";
exits 1 if any case failed.
"""

import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import Result, print_result, print_summary  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BSIZE = 1024
DINODE = 64                 # bytes per inode: type major minor nlink size addrs[13]
DIRENT = 16                 # inum (2 bytes), name (14)
NDIRECT = 12
T_DIR, T_FILE = 1, 2

# The image: README (inode 2, 2 blocks), sh (inode 3) and cat (inode 4),
# both longer than 12 blocks, so they have indirect blocks.
FILES = ["README", "user/_sh", "user/_cat"]


class Image:
    def __init__(self, data):
        self.data = bytearray(data)
        sb = struct.unpack_from("<8I", self.data, BSIZE)
        (self.magic, self.size, self.nblocks, self.ninodes, self.nlog,
         self.logstart, self.inodestart, self.bmapstart) = sb

    def u16(self, off, value=None):
        if value is not None:
            struct.pack_into("<H", self.data, off, value)
        return struct.unpack_from("<H", self.data, off)[0]

    def u32(self, off, value=None):
        if value is not None:
            struct.pack_into("<I", self.data, off, value)
        return struct.unpack_from("<I", self.data, off)[0]

    def inode(self, inum):
        return (self.inodestart + inum // (BSIZE // DINODE)) * BSIZE + inum % (BSIZE // DINODE) * DINODE

    def type(self, inum, value=None):
        return self.u16(self.inode(inum), value)

    def nlink(self, inum, value=None):
        return self.u16(self.inode(inum) + 6, value)

    def fsize(self, inum, value=None):
        return self.u32(self.inode(inum) + 8, value)

    def addr(self, inum, i, value=None):
        return self.u32(self.inode(inum) + 12 + 4 * i, value)

    def entry(self, i):
        """Offset of entry i of the root directory (in its first block)."""
        return self.addr(1, 0) * BSIZE + i * DIRENT

    def bit(self, b, value):
        off = self.bmapstart * BSIZE + b // 8
        if value:
            self.data[off] |= 1 << (b % 8)
        else:
            self.data[off] &= ~(1 << (b % 8)) & 0xff

    def free_block(self):
        """The last data block, which the image does not use."""
        return self.size - 1


def set_name(img, i, name):
    off = img.entry(i) + 2
    img.data[off:off + 14] = name.encode().ljust(14, b"\0")


# (name, damage, what fsck must say). Root entries: 0 ".", 1 "..",
# 2 README, 3 sh, 4 cat.
CASES = [
    ("bad-magic", lambda i: i.u32(BSIZE, 0x1234), r"bad magic"),
    ("wrong-size", lambda i: i.u32(BSIZE + 4, i.size - 1), r"superblock: 1999 blocks"),
    ("regions-overlap", lambda i: i.u32(BSIZE + 28, i.inodestart), r"regions do not fit"),
    ("log-not-recovered", lambda i: i.u32(i.logstart * BSIZE, 2), r"log header lists 2 blocks"),
    ("bad-type", lambda i: i.type(2, 7), r"inode 2: bad type 7"),
    ("too-big", lambda i: i.fsize(2, 300 * BSIZE), r"inode 2: size 307200, more than"),
    ("pointer-out-of-range", lambda i: i.addr(2, 0, 1), r"inode 2: block pointer 1 outside"),
    ("block-used-twice", lambda i: i.addr(4, 0, i.addr(3, 0)), r"block \d+ used twice: by inode 3 and inode 4"),
    ("hole", lambda i: i.addr(3, 1, 0), r"inode 3: size \d+, but it has no block 1"),
    ("no-indirect-block", lambda i: i.addr(3, NDIRECT, 0), r"inode 3: size \d+, but it has no block 12"),
    ("in-use-marked-free", lambda i: i.bit(i.addr(2, 1), 0), r"inode 2 has it, but it is marked free"),
    ("leaked-block", lambda i: i.bit(i.free_block(), 1), r"block 1999: marked in use, but no inode"),
    ("metadata-marked-free", lambda i: i.bit(i.logstart, 0), r"block 2: metadata, but marked free"),
    ("entry-to-free-inode", lambda i: i.type(2, 0), r"\"README\" names free inode 2"),
    ("entry-beyond-inodes", lambda i: i.u16(i.entry(2), 250), r"\"README\" names inode 250, beyond"),
    ("link-count", lambda i: i.nlink(2, 2), r"inode 2: link count 2, but 1 directory entries"),
    ("orphan", lambda i: i.u16(i.entry(2), 0), r"inode 2: an orphan"),
    ("name-twice", lambda i: set_name(i, 3, "README"), r"\"README\" appears twice"),
    ("no-name", lambda i: set_name(i, 2, ""), r"an entry with no name, for inode 2"),
    ("wrong-dot", lambda i: i.u16(i.entry(0), 2), r"\".\" names inode 2"),
    ("wrong-dotdot", lambda i: i.u16(i.entry(1), 2), r"\"..\" names inode 2, not its parent 1"),
    ("directory-twice", lambda i: (i.type(2, T_DIR), i.fsize(2, 0), i.u16(i.entry(3), 2)),
     r"names directory 2, which has another name"),
    ("partial-entry", lambda i: i.fsize(1, i.fsize(1) + 3), r"not whole entries"),
    ("inode-zero", lambda i: i.type(0, T_FILE), r"inode 0 in use"),
]


def fsck(path):
    p = subprocess.run([os.path.join(ROOT, "mkfs", "fsck"), path], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def checked(name, ok, why):
    """A case's result: a passing case says nothing more."""
    return Result(name, ok, None if ok else why)


def main():
    results = []
    with tempfile.TemporaryDirectory(prefix="fscktest-") as tmp:
        path = os.path.join(tmp, "fs.img")
        p = subprocess.run([os.path.join(ROOT, "mkfs", "mkfs"), path] +
                           [os.path.join(ROOT, f) for f in FILES], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("fscktest: mkfs failed: " + p.stderr)
        with open(path, "rb") as f:
            clean = f.read()
        for name, image in (("clean", path), ("clean-fs.img", os.path.join(ROOT, "fs.img"))):
            rc, out = fsck(image)
            results.append(checked(name, rc == 0 and "clean" in out, out.strip()))
        for name, damage, expect in CASES:
            img = Image(clean)
            damage(img)
            with open(path, "wb") as f:
                f.write(img.data)
            rc, out = fsck(path)
            ok = rc == 1 and re.search(expect, out) is not None
            results.append(checked(name, ok, "exit %d, expected /%s/:\n%s"
                                   % (rc, expect, out.strip())))
    for r in results:
        print_result(r)
    return 1 if print_summary(results) else 0


if __name__ == "__main__":
    sys.exit(main())
