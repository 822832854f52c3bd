// Machine-mode setup, run by every hart straight from entry.S. It hands
// the hart over to supervisor mode, where the rest of the kernel runs.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

void main(void);

// The boot stacks: entry.S gives hart i the 16 KiB slice ending at
// stack0 + (i+1)*16K. The RISC-V ABI wants sp 16-byte aligned.
__attribute__((aligned(16))) char stack0[4096 * 4 * NCPU];

// Let supervisor mode take its own timer interrupts through Sstc's
// stimecmp, so machine mode needs no timer handler at all.
static void
timerinit(void)
{
  w_mie(r_mie() | MIE_STIE);
  w_menvcfg(r_menvcfg() | MENVCFG_STCE);
  w_mcounteren(r_mcounteren() | MCOUNTEREN_TM);
  // The first tick; trap.c re-arms it on every timer interrupt.
  w_stimecmp(r_time() + 1000000);
}

void
start(void)
{
  // mret "returns" to supervisor mode at main().
  w_mstatus((r_mstatus() & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S);
  w_mepc((uint64)main);

  // Paging stays off until kvminithart().
  w_satp(0);

  // Every exception and interrupt goes straight to supervisor mode.
  w_medeleg(0xffff);
  w_mideleg(0xffff);
  w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);

  // Without a PMP entry supervisor mode may touch no memory at all:
  // one top-of-range entry granting read, write and execute on everything.
  w_pmpaddr0(0x3fffffffffffffull);
  w_pmpcfg0(0xf);

  timerinit();

  // cpuid() reads the hart number from tp, since mhartid is
  // machine-mode only.
  w_tp(r_mhartid());

  asm volatile("mret");
}
