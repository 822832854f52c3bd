// Sv39 virtual memory: the kernel's address space and the processes'.
//
// A page table is a tree of three levels of 512-entry pages. Interior
// entries have only PTE_V set; leaves have at least one of R, W, X.
// The kernel maps RAM and the devices at their physical addresses, so a
// physical address is also a kernel pointer.

#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "defs.h"

extern char etext[];        // end of the kernel's text, from kernel.ld
extern char trampoline[];   // trampoline.S's page, from kernel.ld

// The kernel page table, built once by kvminit before any other hart runs
// and never changed afterwards, so it needs no lock.
static pagetable_t kernel_pagetable;

static pagetable_t
kvmmake(void)
{
  pagetable_t kpt = kalloc();

  if(kpt == 0)
    panic("kvmmake: out of memory");
  memset(kpt, 0, PGSIZE);

  kvmmap(kpt, UART0, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, PLIC, PLIC, 0x400000, PTE_R | PTE_W);

  // The text may run but not change; data and free memory the reverse.
  kvmmap(kpt, KERNBASE, KERNBASE, (uint64)etext - KERNBASE, PTE_R | PTE_X);
  kvmmap(kpt, (uint64)etext, (uint64)etext, PHYSTOP - (uint64)etext, PTE_R | PTE_W);

  // The same address as in every user page table, so that the code in it
  // keeps running while it switches page tables.
  kvmmap(kpt, TRAMPOLINE, (uint64)trampoline, PGSIZE, PTE_R | PTE_X);

  proc_mapstacks(kpt);
  return kpt;
}

void
kvminit(void)
{
  kernel_pagetable = kvmmake();
}

// Turn on paging with the kernel page table on this hart. The fences keep
// earlier page table stores and stale translations out of the way.
void
kvminithart(void)
{
  sfence_vma();
  w_satp(MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

// Map a range into the kernel page table while it is being built. There is
// no way to boot without it, so failure panics.
void
kvmmap(pagetable_t kpt, uint64 va, uint64 pa, uint64 sz, int perm)
{
  if(mappages(kpt, va, sz, pa, perm) != 0)
    panic("kvmmap");
}

// The leaf PTE for va, creating the missing interior pages when alloc is
// set. Returns 0 if a level is missing (and alloc is 0) or kalloc fails.
// Callers must have checked va against MAXVA: user-supplied addresses are
// validated before they get here.
pte_t *
walk(pagetable_t pt, uint64 va, int alloc)
{
  if(va >= MAXVA)
    panic("walk");

  for(int level = 2; level > 0; level--){
    pte_t *pte = &pt[PX(level, va)];
    if(*pte & PTE_V){
      pt = (pagetable_t)PTE2PA(*pte);
    } else {
      if(!alloc || (pt = kalloc()) == 0)
        return 0;
      memset(pt, 0, PGSIZE);
      *pte = PA2PTE(pt) | PTE_V;
    }
  }
  return &pt[PX(0, va)];
}

// The physical address of the page holding user address va, provided its
// PTE is valid, user-accessible and has every bit in perm; 0 otherwise.
static uint64
userpage(pagetable_t pt, uint64 va, int perm)
{
  pte_t *pte;
  int need = PTE_V | PTE_U | perm;

  if(va >= MAXVA)
    return 0;
  pte = walk(pt, va, 0);
  if(pte == 0 || (*pte & need) != need)
    return 0;
  return PTE2PA(*pte);
}

// The physical address of the user page at va, or 0 if it is not mapped
// for user access.
uint64
walkaddr(pagetable_t pt, uint64 va)
{
  return userpage(pt, va, 0);
}

// Map the page-aligned range [va, va+size) to physical memory from pa.
// Returns 0, or -1 if a page table page cannot be allocated; then nothing
// of the range stays mapped.
int
mappages(pagetable_t pt, uint64 va, uint64 size, uint64 pa, int perm)
{
  uint64 off;

  if(va % PGSIZE != 0 || size % PGSIZE != 0 || size == 0)
    panic("mappages: unaligned");

  for(off = 0; off < size; off += PGSIZE){
    pte_t *pte = walk(pt, va + off, 1);
    if(pte == 0){
      if(off > 0)
        uvmunmap(pt, va, off / PGSIZE, 0);
      return -1;
    }
    if(*pte & PTE_V)
      panic("mappages: remap");
    *pte = PA2PTE(pa + off) | perm | PTE_V;
  }
  return 0;
}

// Remove npages of mappings from va on, which must all exist, and free the
// physical pages if do_free is set. Interior page table pages stay.
void
uvmunmap(pagetable_t pt, uint64 va, uint64 npages, int do_free)
{
  if(va % PGSIZE != 0)
    panic("uvmunmap: unaligned");

  for(uint64 a = va; a < va + npages * PGSIZE; a += PGSIZE){
    pte_t *pte = walk(pt, a, 0);
    if(pte == 0 || (*pte & PTE_V) == 0)
      panic("uvmunmap: not mapped");
    if(PTE_FLAGS(*pte) == PTE_V)
      panic("uvmunmap: not a leaf");
    if(do_free)
      kfree((void *)PTE2PA(*pte));
    *pte = 0;
  }
}

// An empty user page table, or 0 if out of memory.
pagetable_t
uvmcreate(void)
{
  pagetable_t pt = kalloc();

  if(pt != 0)
    memset(pt, 0, PGSIZE);
  return pt;
}

// Load the first process's program (sz bytes at src) at user address 0,
// readable, writable and executable. Returns 0, or -1 if out of memory.
int
uvmfirst(pagetable_t pt, uchar *src, uint sz)
{
  if(sz == 0 || uvmalloc(pt, 0, sz, PTE_W | PTE_X) == 0)
    return -1;
  return copyout(pt, 0, (char *)src, sz);
}

// Grow user memory from oldsz to newsz bytes with zeroed pages that are
// user-readable plus xperm. Returns newsz, or 0 if out of memory or newsz
// would reach the trapframe; then the memory is as it was.
uint64
uvmalloc(pagetable_t pt, uint64 oldsz, uint64 newsz, int xperm)
{
  if(newsz <= oldsz)
    return oldsz;
  if(newsz > TRAPFRAME)
    return 0;

  for(uint64 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE){
    char *mem = kalloc();
    if(mem == 0){
      uvmdealloc(pt, a, oldsz);
      return 0;
    }
    memset(mem, 0, PGSIZE);
    if(mappages(pt, a, PGSIZE, (uint64)mem, PTE_R | PTE_U | xperm) != 0){
      kfree(mem);
      uvmdealloc(pt, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

// Shrink user memory from oldsz to newsz bytes, freeing the pages no
// longer needed. Returns the new size.
uint64
uvmdealloc(pagetable_t pt, uint64 oldsz, uint64 newsz)
{
  if(newsz >= oldsz)
    return oldsz;

  uint64 keep = PGROUNDUP(newsz);
  uint64 had = PGROUNDUP(oldsz);
  if(keep < had)
    uvmunmap(pt, keep, (had - keep) / PGSIZE, 1);
  return newsz;
}

// Free a page table tree whose leaves have all been removed already.
static void
freewalk(pagetable_t pt)
{
  for(int i = 0; i < 512; i++){
    pte_t pte = pt[i];
    if((pte & PTE_V) == 0)
      continue;
    if(PTE_FLAGS(pte) != PTE_V)
      panic("freewalk: leaf");
    freewalk((pagetable_t)PTE2PA(pte));
    pt[i] = 0;
  }
  kfree(pt);
}

// Free sz bytes of user memory from address 0, then the page table.
void
uvmfree(pagetable_t pt, uint64 sz)
{
  if(sz > 0)
    uvmunmap(pt, 0, PGROUNDUP(sz) / PGSIZE, 1);
  freewalk(pt);
}

// Copy the first sz bytes of a parent's memory, contents and permissions,
// into a child's page table. Returns 0, or -1 if out of memory; then the
// child's page table holds none of it.
int
uvmcopy(pagetable_t old, pagetable_t new, uint64 sz)
{
  uint64 a;

  for(a = 0; a < sz; a += PGSIZE){
    pte_t *pte = walk(old, a, 0);
    if(pte == 0 || (*pte & PTE_V) == 0)
      panic("uvmcopy: not mapped");
    char *mem = kalloc();
    if(mem == 0)
      goto fail;
    memmove(mem, (char *)PTE2PA(*pte), PGSIZE);
    if(mappages(new, a, PGSIZE, (uint64)mem, PTE_FLAGS(*pte)) != 0){
      kfree(mem);
      goto fail;
    }
  }
  return 0;

fail:
  uvmunmap(new, 0, a / PGSIZE, 1);
  return -1;
}

// Take away user access to the page at va: exec makes the page below the
// stack a guard this way, so overflowing the stack faults.
void
uvmclear(pagetable_t pt, uint64 va)
{
  pte_t *pte = walk(pt, va, 0);

  if(pte == 0 || (*pte & PTE_V) == 0)
    panic("uvmclear");
  *pte &= ~PTE_U;
}

// Move len bytes between kernel memory at k and user memory at uva, to the
// user when to_user is set. Every user page touched needs PTE_U and perm.
// Returns 0, or -1 at the first page that does not qualify.
static int
usercopy(pagetable_t pt, uint64 uva, char *k, uint64 len, int perm, int to_user)
{
  while(len > 0){
    uint64 pa = userpage(pt, PGROUNDDOWN(uva), perm);
    if(pa == 0)
      return -1;
    // uva < MAXVA here, so neither this nor the advance below can wrap.
    uint64 off = uva - PGROUNDDOWN(uva);
    uint64 n = PGSIZE - off;
    if(n > len)
      n = len;
    if(to_user)
      memmove((char *)(pa + off), k, n);
    else
      memmove(k, (char *)(pa + off), n);
    len -= n;
    k += n;
    uva += n;
  }
  return 0;
}

// Copy len bytes from the kernel's src to user address dstva.
int
copyout(pagetable_t pt, uint64 dstva, char *src, uint64 len)
{
  return usercopy(pt, dstva, src, len, PTE_W, 1);
}

// Copy len bytes from user address srcva to the kernel's dst.
int
copyin(pagetable_t pt, char *dst, uint64 srcva, uint64 len)
{
  return usercopy(pt, srcva, dst, len, PTE_R, 0);
}

// Copy a NUL-terminated string of at most max bytes (NUL included) from
// user address srcva to dst. Returns 0, or -1 if it has no NUL within max
// bytes or runs into memory the user may not read.
int
copyinstr(pagetable_t pt, char *dst, uint64 srcva, uint64 max)
{
  while(max > 0){
    uint64 pa = userpage(pt, PGROUNDDOWN(srcva), PTE_R);
    if(pa == 0)
      return -1;
    char *src = (char *)(pa + (srcva - PGROUNDDOWN(srcva)));
    uint64 n = PGSIZE - (srcva - PGROUNDDOWN(srcva));
    if(n > max)
      n = max;
    for(uint64 i = 0; i < n; i++){
      dst[i] = src[i];
      if(src[i] == 0)
        return 0;
    }
    dst += n;
    srcva += n;
    max -= n;
  }
  return -1;
}
