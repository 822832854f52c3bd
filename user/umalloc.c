// malloc and free: a first-fit allocator over memory obtained with sbrk.
//
// Memory is handed out in units of sizeof(struct chunk) (16 bytes), so that
// every block is 16-byte aligned. Each block starts with a chunk header
// holding its size in units, header included. Free blocks are kept on a
// list sorted by address, which lets free() merge a block with the free
// blocks right before and after it.
#include "kernel/types.h"
#include "user/user.h"

struct chunk {
  uint64 units;          // size of this block in units, header included
  struct chunk *next;    // next free block by address (free blocks only)
};

#define UNIT       sizeof(struct chunk)
#define MINGROW    (64 * 1024 / UNIT)   // grow the heap by at least 64 KiB
// sbrk takes an int: alignment padding plus MAXUNITS units must fit in one.
#define MAXUNITS   ((0x7fffffffUL - UNIT) / UNIT)

static struct chunk *freelist;   // sorted by address; 0 when empty

static int
adjacent(struct chunk *a, struct chunk *b)
{
  return a + a->units == b;
}

void
free(void *p)
{
  if(p == 0)
    return;
  struct chunk *c = (struct chunk *)p - 1;
  struct chunk *prev = 0, *next = freelist;

  while(next && next < c){
    prev = next;
    next = next->next;
  }
  c->next = next;
  if(next && adjacent(c, next)){
    c->units += next->units;
    c->next = next->next;
  }
  if(prev == 0){
    freelist = c;
  } else if(adjacent(prev, c)){
    prev->units += c->units;
    prev->next = c->next;
  } else {
    prev->next = c;
  }
}

// Ask sbrk for at least `units` more units and put them on the free list.
// Returns 0 if the kernel refuses.
static int
grow(uint64 units)
{
  // The break may be misaligned if the program called sbrk itself.
  uint64 pad = -(uint64)sbrk(0) % UNIT;
  uint64 want = units < MINGROW ? MINGROW : units;
  char *p = sbrk(pad + want * UNIT);

  // Short of memory, the bare minimum may still fit.
  if(p == (char *)-1 && want > units){
    want = units;
    p = sbrk(pad + want * UNIT);
  }
  if(p == (char *)-1)
    return 0;
  struct chunk *c = (struct chunk *)(p + pad);
  c->units = want;
  free(c + 1);
  return 1;
}

void *
malloc(uint nbytes)
{
  uint64 units = (nbytes + UNIT - 1) / UNIT + 1;

  if(units > MAXUNITS)
    return 0;
  for(;;){
    struct chunk **link = &freelist;
    for(struct chunk *c = freelist; c; link = &c->next, c = c->next){
      if(c->units < units)
        continue;
      if(c->units == units){
        *link = c->next;
      } else {
        // Hand out the tail, so the free block stays where it is on the list.
        c->units -= units;
        c += c->units;
        c->units = units;
      }
      return c + 1;
    }
    if(!grow(units))
      return 0;
  }
}
