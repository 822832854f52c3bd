# Traps taken while in supervisor mode (stvec points here while the kernel
# runs): save the registers a C call may clobber, run kerneltrap(), put
# them back and return to the interrupted kernel code.
#
# tp is neither saved nor restored: it holds the hart id, and kerneltrap()
# may yield, resuming this thread on a different hart whose tp must stay.
# sp, gp and the s registers survive the call by the C calling convention
# (the kernel never changes gp).

#define NSAVED 16

.text
.align 4
.globl kernelvec
kernelvec:
        addi sp, sp, -8 * NSAVED

        sd ra, 0(sp)
        sd t0, 8(sp)
        sd t1, 16(sp)
        sd t2, 24(sp)
        sd t3, 32(sp)
        sd t4, 40(sp)
        sd t5, 48(sp)
        sd t6, 56(sp)
        sd a0, 64(sp)
        sd a1, 72(sp)
        sd a2, 80(sp)
        sd a3, 88(sp)
        sd a4, 96(sp)
        sd a5, 104(sp)
        sd a6, 112(sp)
        sd a7, 120(sp)

        call kerneltrap

        ld ra, 0(sp)
        ld t0, 8(sp)
        ld t1, 16(sp)
        ld t2, 24(sp)
        ld t3, 32(sp)
        ld t4, 40(sp)
        ld t5, 48(sp)
        ld t6, 56(sp)
        ld a0, 64(sp)
        ld a1, 72(sp)
        ld a2, 80(sp)
        ld a3, 88(sp)
        ld a4, 96(sp)
        ld a5, 104(sp)
        ld a6, 112(sp)
        ld a7, 120(sp)

        addi sp, sp, 8 * NSAVED
        sret
