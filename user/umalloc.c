// malloc and free: a next-fit allocator over memory obtained with sbrk.
//
// Memory is handed out in units of sizeof(struct chunk) (16 bytes), so that
// every block is 16-byte aligned. Each block starts with a chunk header
// holding its size in units, header included. Free blocks are kept on a
// list sorted by address, which lets free() merge a block with the free
// blocks right before and after it.
//
// Searches start at a free block near the last one used (the rover), not
// at the head of the list: a program that allocates until memory runs out
// leaves a small free piece behind every time the heap grows, and walking
// past all of them on every call made such a program (usertests mem)
// take time quadratic in the number of pieces.
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
static struct chunk *rover;      // 0, or a block on freelist: searches start there

static int
adjacent(struct chunk *a, struct chunk *b)
{
  return a + a->units == b;
}

// The last free block below c, or 0 if there is none. The walk starts at
// the rover when it lies below c.
static struct chunk *
below(struct chunk *c)
{
  struct chunk *prev = rover && rover < c ? rover : 0;
  struct chunk *next = prev ? prev->next : freelist;

  while(next && next < c){
    prev = next;
    next = next->next;
  }
  return prev;
}

void
free(void *p)
{
  if(p == 0)
    return;
  struct chunk *c = (struct chunk *)p - 1;
  struct chunk *prev = below(c);
  struct chunk *next = prev ? prev->next : freelist;

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
  // next may be gone, merged into c: the rover moves to a block that stays.
  rover = prev ? prev : c;
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

// Take a block of units from the first free block big enough, looking from
// the rover to the end of the list, then from its head up to the rover.
// Returns it, or 0 if no free block is big enough.
static struct chunk *
take(uint64 units)
{
  for(int pass = 0; pass < 2; pass++){
    struct chunk *stop = pass == 0 ? 0 : rover;
    for(struct chunk *c = pass == 0 ? rover : freelist; c != stop; c = c->next){
      if(c->units < units)
        continue;
      if(c->units > units){
        // Hand out the tail, so the free block stays where it is on the list.
        c->units -= units;
        rover = c;
        c += c->units;
        c->units = units;
      } else {
        struct chunk *prev = below(c);
        if(prev)
          prev->next = c->next;
        else
          freelist = c->next;
        rover = prev;
      }
      return c;
    }
  }
  return 0;
}

void *
malloc(uint nbytes)
{
  uint64 units = (nbytes + UNIT - 1) / UNIT + 1;

  if(units > MAXUNITS)
    return 0;
  for(;;){
    struct chunk *c = take(units);
    if(c)
      return c + 1;
    if(!grow(units))
      return 0;
  }
}
