// RISC-V definitions: control and status registers, Sv39 page tables.
// Only macros and static inline functions, so user programs may include it.

#ifndef __ASSEMBLER__

// r_NAME() reads and w_NAME(x) writes the CSR called NAME.
#define RISCV_CSR(name)                                                   \
  static inline uint64 r_##name(void)                                     \
  { uint64 x; asm volatile("csrr %0, " #name : "=r" (x)); return x; }     \
  static inline void w_##name(uint64 x)                                   \
  { asm volatile("csrw " #name ", %0" : : "r" (x)); }

// Machine mode.
RISCV_CSR(mhartid)
RISCV_CSR(mstatus)
RISCV_CSR(mepc)
RISCV_CSR(medeleg)
RISCV_CSR(mideleg)
RISCV_CSR(mie)
RISCV_CSR(mcounteren)
RISCV_CSR(pmpcfg0)
RISCV_CSR(pmpaddr0)
// Supervisor mode.
RISCV_CSR(sstatus)
RISCV_CSR(sip)
RISCV_CSR(sie)
RISCV_CSR(sepc)
RISCV_CSR(stvec)
RISCV_CSR(satp)
RISCV_CSR(scause)
RISCV_CSR(stval)
RISCV_CSR(sscratch)
// Unprivileged.
RISCV_CSR(time)

// Sstc's supervisor timer compare (0x14d) and the machine environment
// configuration register (0x30a), by number: older assemblers lack the names.
static inline void w_stimecmp(uint64 x) { asm volatile("csrw 0x14d, %0" : : "r" (x)); }
static inline uint64 r_stimecmp(void) { uint64 x; asm volatile("csrr %0, 0x14d" : "=r" (x)); return x; }
static inline void w_menvcfg(uint64 x) { asm volatile("csrw 0x30a, %0" : : "r" (x)); }
static inline uint64 r_menvcfg(void) { uint64 x; asm volatile("csrr %0, 0x30a" : "=r" (x)); return x; }

#define MSTATUS_MPP_MASK (3L << 11)   // previous privilege mode
#define MSTATUS_MPP_M    (3L << 11)
#define MSTATUS_MPP_S    (1L << 11)
#define MSTATUS_MPP_U    (0L << 11)

#define SSTATUS_SPP  (1L << 8)   // previous mode: 1 supervisor, 0 user
#define SSTATUS_SPIE (1L << 5)   // interrupts enabled before the trap
#define SSTATUS_SIE  (1L << 1)   // supervisor interrupts enabled

#define SIE_SEIE (1L << 9)       // external interrupts
#define SIE_STIE (1L << 5)       // timer interrupts
#define SIE_SSIE (1L << 1)       // software interrupts
#define MIE_STIE (1L << 5)

#define MENVCFG_STCE (1L << 63)  // let supervisor mode use stimecmp
#define MCOUNTEREN_TM (1L << 1)  // let supervisor mode read time

static inline void intr_on(void)  { w_sstatus(r_sstatus() | SSTATUS_SIE); }
static inline void intr_off(void) { w_sstatus(r_sstatus() & ~SSTATUS_SIE); }
static inline int intr_get(void)  { return (r_sstatus() & SSTATUS_SIE) != 0; }

static inline uint64 r_sp(void) { uint64 x; asm volatile("mv %0, sp" : "=r" (x)); return x; }
static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r" (x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r" (x)); }
static inline uint64 r_ra(void) { uint64 x; asm volatile("mv %0, ra" : "=r" (x)); return x; }
static inline uint64 r_fp(void) { uint64 x; asm volatile("mv %0, s0" : "=r" (x)); return x; }

// Flush every TLB entry of this hart.
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero"); }

typedef uint64 pte_t;
typedef uint64 *pagetable_t;   // a page of 512 PTEs

#endif // __ASSEMBLER__

#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pagetable) (SATP_SV39 | (((uint64)(pagetable)) >> 12))

#define PGSIZE  4096
#define PGSHIFT 12

#define PGROUNDUP(sz)  (((sz)+PGSIZE-1) & ~(PGSIZE-1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE-1))

#define PTE_V (1L << 0)
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)

// A PTE holds the physical page number from bit 10 up.
#define PA2PTE(pa) ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

// The 9-bit index into the page table of the given level (2 top, 0 leaf).
#define PXSHIFT(level) (PGSHIFT + 9*(level))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & 0x1FF)

// One above the highest virtual address: Sv39 allows 39 bits, and we stay
// below bit 38 so addresses never need sign extension.
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))
