# The page that carries every trap from user space into the kernel and
# back. It is mapped at TRAMPOLINE in the kernel's and every process's page
# table, so it keeps running while it switches page tables. Each process's
# trapframe page (struct trapframe in proc.h) is mapped at TRAPFRAME in the
# user page table; register x(n) is saved at byte offset 32 + 8*n.

#include "kernel/memlayout.h"
#include "kernel/riscv.h"

# Offsets of the kernel fields in struct trapframe.
#define TF_KERNEL_SATP   0
#define TF_KERNEL_SP     8
#define TF_KERNEL_TRAP  16
#define TF_KERNEL_HART  32
#define TF_REG(n)       (32 + 8 * (n))

.section trampsec, "ax"
.globl trampoline
trampoline:

# usertrapret() points stvec here (at its TRAMPOLINE address), so traps from
# user mode land here in supervisor mode, still on the user page table.
.align 4
.globl uservec
uservec:
        # Every register holds user state. Park t6 (x31) in sscratch to get
        # one to hold the trapframe's address.
        csrw sscratch, t6
        li t6, TRAPFRAME

        .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        sd x\n, TF_REG(\n)(t6)
        .endr
        csrr t5, sscratch
        sd t5, TF_REG(31)(t6)

        # Enter the kernel as usertrapret() prepared it.
        ld sp, TF_KERNEL_SP(t6)
        ld tp, TF_KERNEL_HART(t6)
        ld t0, TF_KERNEL_TRAP(t6)
        ld t1, TF_KERNEL_SATP(t6)

        # Finish the user's memory accesses before switching, then drop
        # the user's translations.
        sfence.vma zero, zero
        csrw satp, t1
        sfence.vma zero, zero

        # usertrap() never returns here; it leaves through userret.
        jr t0

# userret(satp): called by usertrapret() (at its TRAMPOLINE address) with
# the user page table in a0. Restores the user registers and returns to
# user mode at sepc.
.globl userret
userret:
        sfence.vma zero, zero
        csrw satp, a0
        sfence.vma zero, zero

        li t6, TRAPFRAME
        .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        ld x\n, TF_REG(\n)(t6)
        .endr
        # t6 last, since it is the base register.
        ld t6, TF_REG(31)(t6)

        sret
