// The platform-level interrupt controller: routes device interrupts
// (the UART and the virtio disk) to the harts' supervisor mode.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

// PLIC registers are 32 bits wide.
static inline volatile uint32 *
plicreg(uint64 addr)
{
  return (volatile uint32 *)addr;
}

// Give our devices a priority above 0, the level the PLIC never delivers.
void
plicinit(void)
{
  *plicreg(PLIC_PRIORITY + UART0_IRQ * 4) = 1;
  *plicreg(PLIC_PRIORITY + VIRTIO0_IRQ * 4) = 1;
}

// Let this hart's supervisor mode receive our devices' interrupts, with a
// threshold of 0 so every priority above it gets through.
void
plicinithart(void)
{
  int hart = cpuid();

  *plicreg(PLIC_SENABLE(hart)) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ);
  *plicreg(PLIC_SPRIORITY(hart)) = 0;
}

// The interrupt this hart should serve now (0 if none). Claiming it stops
// the PLIC from offering it to other harts until plic_complete().
int
plic_claim(void)
{
  return *plicreg(PLIC_SCLAIM(cpuid()));
}

// This hart is done with irq; the PLIC may deliver it again.
void
plic_complete(int irq)
{
  *plicreg(PLIC_SCLAIM(cpuid())) = irq;
}
