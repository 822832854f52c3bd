# First instructions of every hart, in machine mode with paging off.
# QEMU's virt machine (with -bios none) starts all harts here at 0x80000000.
# Give each hart its own 16 KiB slice of stack0 and enter C.

#define KSTACKBYTES (4096 * 4)

# kernel.ld puts .text.entry first, at 0x80000000.
.section .text.entry, "ax"
.globl _entry
_entry:
        # sp = stack0 + (mhartid + 1) * KSTACKBYTES: the stack grows down
        # from the top of this hart's slice.
        csrr t0, mhartid
        addi t0, t0, 1
        li t1, KSTACKBYTES
        mul t0, t0, t1
        la sp, stack0
        add sp, sp, t0
        call start
        # start() ends in mret and never returns; park the hart if it does.
hang:
        wfi
        j hang
