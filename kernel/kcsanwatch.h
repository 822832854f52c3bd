// The race detector's decisions that need no machine (kcsan.c uses them):
// which accesses to watch, how a watchpoint fits in one word, which
// accesses race with it, and which races were reported already. Plain
// functions, so that the host tests (tests/host/test_kcsan.c) check them.

// An access's type: a read unless KCSAN_WRITE; plain unless KCSAN_MARKED.
#define KCSAN_WRITE   1   // it stores (a read-modify-write counts as a store)
#define KCSAN_MARKED  2   // an atomic builtin: it races with plain accesses only

// ---- Sampling ----

// Each CPU watches about one access in `interval`: it counts down a random
// number of accesses, from 1 to 2*interval-1, so that a loop whose length
// divides the interval does not always have the same access watched.
// left is read and written with atomic accesses: a process that reads its
// CPU number and is then moved to another CPU counts its access on the CPU
// it left, alongside that CPU's own accesses. The two may then count one
// access instead of two, which only moves the next sample by one.
struct sampler {
  uint64 seed;   // xorshift state, never 0
  uint left;     // accesses until the next one watched, that one included
};

// The next pseudo-random number of the xorshift generator whose state is
// *seed (not 0; it never becomes 0).
static inline uint64
kcsan_random(uint64 *seed)
{
  uint64 x = __atomic_load_n(seed, __ATOMIC_RELAXED);

  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  __atomic_store_n(seed, x, __ATOMIC_RELAXED);
  return x;
}

// Count one access on s; 1 if it is the one to watch. An interval of 0
// watches nothing.
static inline int
sampler_tick(struct sampler *s, uint interval)
{
  uint left = __atomic_load_n(&s->left, __ATOMIC_RELAXED);

  if(interval == 0)
    return 0;
  if(left > 1){
    __atomic_store_n(&s->left, left - 1, __ATOMIC_RELAXED);
    return 0;
  }
  __atomic_store_n(&s->left, 1 + kcsan_random(&s->seed) % (2 * (uint64)interval - 1),
                   __ATOMIC_RELAXED);
  return 1;
}

// ---- Watchpoints ----

// A watchpoint is a plain access being watched, packed into one word so
// that other CPUs read it whole with one atomic load: bits 0-39 hold the
// address, 40-61 the size, 62 is set for a write and 63 for a watchpoint
// in use (so 0 is none). Every kernel address fits in 40 bits.
#define WATCH_ADDRBITS 40
#define WATCH_SIZEBITS 22
#define WATCH_MAXSIZE  ((1ULL << WATCH_SIZEBITS) - 1)
#define WATCH_WRITE    (1ULL << 62)
#define WATCH_VALID    (1ULL << 63)

// The watchpoint of an access to [addr, addr+size); 0 if there is none
// (an empty access, or an address beyond 40 bits). A range longer than
// WATCH_MAXSIZE is watched in its first WATCH_MAXSIZE bytes.
static inline uint64
watch_make(uint64 addr, uint64 size, int type)
{
  if(size == 0 || (addr >> WATCH_ADDRBITS) != 0)
    return 0;
  if(size > WATCH_MAXSIZE)
    size = WATCH_MAXSIZE;
  return WATCH_VALID | ((type & KCSAN_WRITE) ? WATCH_WRITE : 0) |
         size << WATCH_ADDRBITS | addr;
}

static inline uint64
watch_addr(uint64 w)
{
  return w & ((1ULL << WATCH_ADDRBITS) - 1);
}

static inline uint64
watch_size(uint64 w)
{
  return (w >> WATCH_ADDRBITS) & WATCH_MAXSIZE;
}

static inline int
watch_iswrite(uint64 w)
{
  return (w & WATCH_WRITE) != 0;
}

// Do [a, a+an) and [b, b+bn) share a byte? (an and bn are not 0.)
// Written with differences, which cannot overflow as sums near the top
// of the address space would.
static inline int
overlap(uint64 a, uint64 an, uint64 b, uint64 bn)
{
  return a >= b ? a - b < bn : b - a < an;
}

// Does an access of the given type to [addr, addr+size) by another CPU
// race with watchpoint w? It does if they overlap and one of them writes:
// the watched access is plain, and a plain access racing with a marked one
// is a race all the same.
static inline int
watch_conflicts(uint64 w, uint64 addr, uint64 size, int type)
{
  return (w & WATCH_VALID) && size > 0 &&
         (watch_iswrite(w) || (type & KCSAN_WRITE)) &&
         overlap(watch_addr(w), watch_size(w), addr, size);
}

// ---- Reported races ----

// The pairs of code locations already reported: each race is reported
// once, however often it happens. A race whose other side was not seen
// has 0 as its second location.
#define NREPORTED 128
struct pairset {
  int n;
  uint64 a[NREPORTED];   // a[i] <= b[i]
  uint64 b[NREPORTED];
};

// Add the pair (pc1, pc2), in either order, to s. Returns 1 if it is new,
// 0 if s has it already, and -1 if it is new but s is full (s is unchanged).
static inline int
pairset_add(struct pairset *s, uint64 pc1, uint64 pc2)
{
  uint64 a = pc1 < pc2 ? pc1 : pc2;
  uint64 b = pc1 < pc2 ? pc2 : pc1;

  for(int i = 0; i < s->n; i++)
    if(s->a[i] == a && s->b[i] == b)
      return 0;
  if(s->n == NREPORTED)
    return -1;
  s->a[s->n] = a;
  s->b[s->n] = b;
  s->n++;
  return 1;
}
