// The kernel's table of its own functions, so that the lock tools and
// panics can name code ("acquire+0x2c") instead of printing raw addresses.
// The table (ksymtab, nksym) is generated from the linked kernel by
// tools/ksyms.awk and linked in by the Makefile; it is sorted by address.
// Debug builds also carry a line table (klinetab, nkline, klinefiles, from
// tools/klines.awk), so that their reports give file:line too; in other
// builds it is empty.
//
// Also: walking the kernel stack by its frame pointers (the kernel is
// compiled with -fno-omit-frame-pointer), for backtraces.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

struct ksym {
  uint64 addr;
  const char *name;
};

// Code from addr on (up to the next entry's addr) comes from line of
// klinefiles[file]; line 0 means no line is known there.
struct kline {
  uint32 addr;
  uint16 file;
  uint16 line;
};

extern const struct ksym ksymtab[];
extern const uint64 nksym;
extern const struct kline klinetab[];
extern const uint64 nkline;
extern const char *const klinefiles[];
extern char etext[];   // end of the kernel's code (kernel.ld)

// The index of the last of n entries, sorted by address, whose address
// (addrof(i)) is at or below pc. The first one's must be.
static uint64
lastatorbelow(uint64 n, uint64 pc, uint64 (*addrof)(uint64 i))
{
  uint64 lo = 0, hi = n;

  // addrof(lo) <= pc < addrof(hi)
  while(hi - lo > 1){
    uint64 mid = (lo + hi) / 2;
    if(addrof(mid) <= pc)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

static uint64
symaddr(uint64 i)
{
  return ksymtab[i].addr;
}

static uint64
lineaddr(uint64 i)
{
  return klinetab[i].addr;
}

// The name of the function that holds address pc, with pc's offset into
// it in *off; 0 if pc is not in the kernel's code.
const char *
ksymname(uint64 pc, uint64 *off)
{
  if(nksym == 0 || pc < ksymtab[0].addr || pc >= (uint64)etext)
    return 0;
  uint64 i = lastatorbelow(nksym, pc, symaddr);
  *off = pc - ksymtab[i].addr;
  return ksymtab[i].name;
}

// The source file of the instruction at pc, and its line in *line; 0 if
// the kernel has no line table or pc is not in its code.
const char *
ksymline(uint64 pc, int *line)
{
  if(nkline == 0 || pc < klinetab[0].addr || pc >= (uint64)etext)
    return 0;
  const struct kline *l = &klinetab[lastatorbelow(nkline, pc, lineaddr)];
  if(l->line == 0)
    return 0;
  *line = l->line;
  return klinefiles[l->file];
}

// Write "function+0xoffset" for the return address ra (or ra in hex,
// outside the kernel's code) into buf of size bytes, NUL-terminated.
// The function is the one holding the call, ra - 1: a call that is a
// function's last instruction returns to the start of the next one.
void
ksymformat(uint64 ra, char *buf, int size)
{
  static const char hex[] = "0123456789abcdef";
  uint64 off;
  const char *name = ksymname(ra - 1, &off);
  uint64 n = name ? off + 1 : ra;
  char digits[16];
  int len = 0, ndigits = 0;

  if(size <= 0)
    return;
  for(; name && *name && len < size - 1; name++)
    buf[len++] = *name;
  if(name && len < size - 1)
    buf[len++] = '+';
  do {
    digits[ndigits++] = hex[n % 16];
    n /= 16;
  } while(n);
  for(const char *p = "0x"; *p && len < size - 1; p++)
    buf[len++] = *p;
  while(ndigits > 0 && len < size - 1)
    buf[len++] = digits[--ndigits];
  buf[len] = 0;
}

// Fill pcs with up to max return addresses, innermost first, of the calls
// that led to the function whose frame pointer is fp; return how many.
// It stops at the first that is not in the kernel's code (the trap from
// user space at the bottom of a process's kernel stack).
// Callers pass r_fp(), so the first one is where their caller called them.
// It follows the saved frame pointers for as long as they stay on fp's
// stack page: each frame keeps the return address at fp-8 and the
// caller's frame pointer at fp-16. (The caller of backtrace() cannot be a
// leaf function, which gcc gives a different frame.)
int
backtrace(uint64 fp, uint64 *pcs, int max)
{
  uint64 page = PGROUNDDOWN(fp);
  int n = 0;

  while(n < max && fp >= page + 16 && fp <= page + PGSIZE && fp % 8 == 0){
    uint64 ra = *(uint64 *)(fp - 8);
    uint64 off;
    if(ksymname(ra - 1, &off) == 0)
      break;
    pcs[n++] = ra;
    fp = *(uint64 *)(fp - 16);
  }
  return n;
}

// Print prefix, then where the return address ra is, on a line: the
// function and offset, and file:line if the kernel has a line table.
void
printksym(char *prefix, uint64 ra)
{
  char name[64];
  int line;
  const char *file = ksymline(ra - 1, &line);

  ksymformat(ra, name, sizeof(name));
  if(file)
    printf("%s%s %s:%d\n", prefix, name, file, line);
  else
    printf("%s%s\n", prefix, name);
}

// Print a backtrace of the caller, one return address per line.
void
printbacktrace(void)
{
  uint64 pcs[16];
  int n = backtrace(r_fp(), pcs, NELEM(pcs));

  for(int i = 0; i < n; i++)
    printksym("  ", pcs[i]);
}
