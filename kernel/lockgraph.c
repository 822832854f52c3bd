// The lock-order checker's graph of lock classes (see lockgraph.h), and
// the search for the cycle that a new edge may close.
//
// Every acquire looks up an edge, so looking up is lock-free; edges are
// only ever added, and adding one takes graphlock. Only new edges, rare
// after the first minutes, pay for the search.
//
// This file also builds on the host (tests/host), with more nodes: it must
// use only defs.h functions, and no RISC-V assembly.

#include "types.h"
#include "param.h"
#include "riscv.h"
#include "spinlock.h"
#include "lockgraph.h"
#include "defs.h"

#define NODES LOCKGRAPH_NODES

// graphlock protects every variable below; some are also read without it:
// - known[from] has bit `to` set once edge from -> to is in edges[]; it is
//   set under graphlock after the edge is written, and read without it.
// - seen[n] is set under graphlock once node n is in seenlist[]. seenlist
//   and edges are appended to under graphlock, and their counts (nseen,
//   nedges) stored after the entry, so readers without the lock may use
//   every entry below the count they load.
// It is a bare test-and-set word, not a struct spinlock, since acquire()
// calls the checker, which takes it; it is held with interrupts off, and
// no other lock is taken while it is held.
static uint graphlock;

static uint64 known[NODES][(NODES + 63) / 64];
static uchar seen[NODES];
static ushort seenlist[NODES];   // nodes in the order they were first seen
static int nseen;
static struct lockedge edges[LOCKGRAPH_EDGES];
static int nedges;

// Each node's edges out, as lists through nextout: edge numbers, -1 ends.
static int firstout[NODES] = { [0 ... NODES - 1] = -1 };
static int nextout[LOCKGRAPH_EDGES];

// The search's bookkeeping: node n was reached in the current search if
// visited[n] == searchno, through edge via[n].
static uint visited[NODES];
static uint searchno;
static int via[NODES];
static ushort queue[NODES];

static void
graph_lock(void)
{
  push_off();
  while(__atomic_exchange_n(&graphlock, 1, __ATOMIC_ACQUIRE) != 0)
    cpu_relax();
}

static void
graph_unlock(void)
{
  __atomic_store_n(&graphlock, 0, __ATOMIC_RELEASE);
  pop_off();
}

// Note that a lock of node n has been taken.
void
lockgraph_node(int n)
{
  if(__atomic_load_n(&seen[n], __ATOMIC_RELAXED))
    return;
  graph_lock();
  if(!seen[n]){
    seenlist[nseen] = n;
    __atomic_store_n(&nseen, nseen + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&seen[n], 1, __ATOMIC_RELAXED);
  }
  graph_unlock();
}

// Is edge from -> to in the graph?
int
lockgraph_known(int from, int to)
{
  uint64 word = __atomic_load_n(&known[from][to / 64], __ATOMIC_RELAXED);

  return (word >> (to % 64)) & 1;
}

// Search breadth-first for a path of edges from node `from` to node `to`
// (from != to): the shortest, if there is one. Return its length, and copy
// its first max edges, in order, into path; 0 if there is none. The caller
// holds graphlock.
static int
findpath(int from, int to, struct lockedge *path, int max)
{
  int head = 0, tail = 0;
  int len = 0;

  if(++searchno == 0){
    // Wrapped around: a mark left by an old search could pass for new.
    memset(visited, 0, sizeof(visited));
    searchno = 1;
  }
  visited[from] = searchno;
  queue[tail++] = from;
  while(head < tail && visited[to] != searchno){
    int n = queue[head++];
    for(int e = firstout[n]; e >= 0; e = nextout[e]){
      int m = edges[e].to;
      if(visited[m] != searchno){
        visited[m] = searchno;
        via[m] = e;
        queue[tail++] = m;
      }
    }
  }
  if(visited[to] != searchno)
    return 0;

  // Walk back from `to`, filling the path from its end.
  for(int n = to; n != from; n = edges[via[n]].from)
    len++;
  int i = len;
  for(int n = to; n != from; n = edges[via[n]].from)
    if(--i < max)
      path[i] = edges[via[n]];
  return len;
}

// Add edge e (e->from != e->to) unless it is there already. If it would
// close a cycle, add nothing: return the length of the path from e->to
// back to e->from, with its first max edges in path. Otherwise return
// LOCKGRAPH_ADDED, or LOCKGRAPH_FULL if there is no room for it.
int
lockgraph_add(struct lockedge *e, struct lockedge *path, int max)
{
  int r = LOCKGRAPH_ADDED;

  if(e->from == e->to || e->from >= NODES || e->to >= NODES)
    panic("lockgraph_add: bad edge");
  graph_lock();
  if(!lockgraph_known(e->from, e->to)){
    int len = findpath(e->to, e->from, path, max);
    if(len > 0){
      r = len;
    } else if(nedges == LOCKGRAPH_EDGES){
      r = LOCKGRAPH_FULL;
    } else {
      int i = nedges;
      edges[i] = *e;
      nextout[i] = firstout[e->from];
      firstout[e->from] = i;
      __atomic_store_n(&nedges, i + 1, __ATOMIC_RELEASE);
      __atomic_or_fetch(&known[e->from][e->to / 64], 1ULL << (e->to % 64), __ATOMIC_RELEASE);
    }
  }
  graph_unlock();
  return r;
}

// The nodes seen so far, in the order they were first seen: their number,
// and the list in *list. Later calls return the same list, maybe longer.
int
lockgraph_nodes(const ushort **list)
{
  *list = seenlist;
  return __atomic_load_n(&nseen, __ATOMIC_ACQUIRE);
}

// The edges so far, in the order they were added, as lockgraph_nodes().
int
lockgraph_edges(const struct lockedge **list)
{
  *list = edges;
  return __atomic_load_n(&nedges, __ATOMIC_ACQUIRE);
}
