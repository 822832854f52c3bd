// Physical and virtual memory layout.
//
// Physical addresses on QEMU's virt machine (-m 128M):
//   0x00100000  test device ("finisher"): only the crash test uses it
//   0x0C000000  PLIC (platform-level interrupt controller)
//   0x10000000  UART0 (16550)
//   0x10001000  virtio-mmio disk
//   0x80000000  RAM: the kernel's text and data, then free pages up to PHYSTOP.
// The kernel page table maps all of these but the test device one to one
// (virtual == physical), plus the trampoline page and the kernel stacks at the top of the address space.

// Writing FINISHER_POWEROFF to it ends QEMU (kernel/crash.c).
#define FINISHER           0x100000L
#define FINISHER_POWEROFF  0x5555

#define UART0        0x10000000L
#define UART0_IRQ    10

#define VIRTIO0      0x10001000L
#define VIRTIO0_IRQ  1

#define PLIC                0x0c000000L
#define PLIC_PRIORITY       (PLIC + 0x0)
#define PLIC_PENDING        (PLIC + 0x1000)
#define PLIC_SENABLE(hart)  (PLIC + 0x2080 + (hart)*0x100)
#define PLIC_SPRIORITY(hart) (PLIC + 0x201000 + (hart)*0x2000)
#define PLIC_SCLAIM(hart)   (PLIC + 0x201004 + (hart)*0x2000)

#define KERNBASE 0x80000000L
#define PHYSTOP  (KERNBASE + 128*1024*1024)

// The trampoline page holds the user/kernel transition code, mapped at the
// same, highest, virtual address in every page table.
#define TRAMPOLINE (MAXVA - PGSIZE)

// Kernel stacks sit below the trampoline, one page each with an unmapped
// guard page below it.
#define KSTACK(p) (TRAMPOLINE - ((p)+1) * 2*PGSIZE)

// Each user page table maps the process's trapframe just below the trampoline.
#define TRAPFRAME (TRAMPOLINE - PGSIZE)
