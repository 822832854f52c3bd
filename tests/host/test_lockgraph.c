// Host-side tests of the lock-order checker's graph (kernel/lockgraph.c,
// compiled unchanged, with 1000 nodes standing for lock classes).
//
//   test_lockgraph TEST NTHREADS
//
// TEST is one of:
//   chain    a chain 0 -> 1 -> ... -> 999: the edge back from 999 to 0
//            closes a cycle through all 1000 classes, and the path reported
//            is the chain; with a shortcut 0 -> 999, the path is the shortcut
//   random   edges between random classes, until the table is full. Each
//            is checked against a search done here, independently, on a
//            copy of the graph: a cycle is reported exactly when the new
//            edge's head already reaches its tail, and the path reported is
//            a shortest one, made of edges in the graph; otherwise the edge
//            is added, and the table fills up at LOCKGRAPH_EDGES edges
//   threads  NTHREADS threads add edges that never close a cycle (from a
//            lower class to a higher one), many of them the same: none is
//            reported, and each distinct edge is in the graph exactly once
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "lockgraph.h"
#include "shim.h"

#define N LOCKGRAPH_NODES
_Static_assert(N == 1000, "the test expects 1000 nodes");

static struct lockedge path[N];

static struct lockedge
edge(int from, int to)
{
  return (struct lockedge){ .from = from, .to = to, .frompc = from, .topc = to };
}

static int
add(int from, int to)
{
  struct lockedge e = edge(from, to);

  return lockgraph_add(&e, path, N);
}

// ---- chain ----

static void
test_chain(void)
{
  for(int i = 0; i + 1 < N; i++)
    if(add(i, i + 1) != LOCKGRAPH_ADDED)
      shim_fail("chain edge not added", i, i + 1);
  if(add(0, 1) != LOCKGRAPH_ADDED)
    shim_fail("adding a known edge again failed", 0, 1);

  int len = add(N - 1, 0);
  if(len != N - 1)
    shim_fail("closing the chain: wrong cycle length", len, N - 1);
  for(int i = 0; i < len; i++)
    if(path[i].from != i || path[i].to != i + 1 || path[i].frompc != i)
      shim_fail("closing the chain: wrong path edge", i, path[i].from);
  if(lockgraph_known(N - 1, 0))
    shim_fail("the edge closing the cycle was added", N - 1, 0);

  // Only the first max edges are copied; the length is still the whole.
  struct lockedge e = edge(N - 1, 0), few[3];
  if(lockgraph_add(&e, few, 3) != N - 1 || few[2].from != 2 || few[2].to != 3)
    shim_fail("a short path buffer", few[2].from, few[2].to);

  // From the middle: the part of the chain in between.
  len = add(700, 300);
  if(len != 400 || path[0].from != 300 || path[len - 1].to != 700)
    shim_fail("closing part of the chain", len, path[0].from);

  // A shortcut makes the shortest way back one edge.
  if(add(0, N - 1) != LOCKGRAPH_ADDED)
    shim_fail("shortcut not added", 0, N - 1);
  len = add(N - 1, 0);
  if(len != 1 || path[0].from != 0 || path[0].to != N - 1)
    shim_fail("shortest path: wrong cycle", len, path[0].to);

  const struct lockedge *edges;
  if(lockgraph_edges(&edges) != N || edges[N - 1].from != 0 || edges[N - 1].to != N - 1)
    shim_fail("wrong edges listed", lockgraph_edges(&edges), N);
  printf("chain: %d edges, cycles of %d, 400 and 1 found\n", N, N - 1);
}

// ---- random ----

// The same graph, kept here: adjacency lists, and a matrix to test edges.
static uchar has[N][N];
static int out[N][N];
static int nout[N];
static int nedges;

// The length of a shortest path from a to b here, or 0 if there is none.
static int
distance(int a, int b)
{
  static int dist[N], queue[N];
  int head = 0, tail = 0;

  for(int i = 0; i < N; i++)
    dist[i] = -1;
  dist[a] = 0;
  queue[tail++] = a;
  while(head < tail){
    int n = queue[head++];
    for(int i = 0; i < nout[n]; i++){
      int m = out[n][i];
      if(dist[m] < 0){
        dist[m] = dist[n] + 1;
        if(m == b)
          return dist[m];
        queue[tail++] = m;
      }
    }
  }
  return 0;
}

static void
test_random(void)
{
  uint64 seed = 12345;
  int cycles = 0, tries = 0, longest = 0;

  for(;;){
    int a = shim_rand(&seed) % N, b = shim_rand(&seed) % N;
    if(a == b)
      continue;
    tries++;
    int want = distance(b, a);
    int got = add(a, b);
    if(got == LOCKGRAPH_FULL){
      if(nedges != LOCKGRAPH_EDGES || has[a][b] || want)
        shim_fail("table full too early, or for a known edge or a cycle", nedges, want);
      break;
    }
    if(got != want)
      shim_fail("cycle length differs from the independent search", got, want);
    if(got > 0){
      cycles++;
      if(got > longest)
        longest = got;
      // A path b -> ... -> a, of edges in the graph.
      if(path[0].from != b || path[got - 1].to != a)
        shim_fail("path does not join the new edge's ends", path[0].from, path[got - 1].to);
      for(int i = 0; i < got; i++){
        if(!has[path[i].from][path[i].to] || !lockgraph_known(path[i].from, path[i].to))
          shim_fail("path edge not in the graph", path[i].from, path[i].to);
        if(path[i].frompc != path[i].from || path[i].topc != path[i].to)
          shim_fail("path edge lost its call sites", path[i].from, path[i].to);
        if(i > 0 && path[i].from != path[i - 1].to)
          shim_fail("path is broken", i, path[i].from);
      }
      if(lockgraph_known(a, b))
        shim_fail("edge closing a cycle was added", a, b);
    } else if(!has[a][b]){
      has[a][b] = 1;
      out[a][nout[a]++] = b;
      nedges++;
    }
    if(!lockgraph_known(a, b) != !has[a][b])
      shim_fail("lockgraph_known disagrees", a, b);
  }

  const struct lockedge *edges;
  if(lockgraph_edges(&edges) != LOCKGRAPH_EDGES)
    shim_fail("wrong number of edges listed", lockgraph_edges(&edges), LOCKGRAPH_EDGES);
  for(int i = 0; i < LOCKGRAPH_EDGES; i++){
    if(!has[edges[i].from][edges[i].to])
      shim_fail("listed edge not added", edges[i].from, edges[i].to);
    has[edges[i].from][edges[i].to] = 2;   // listed once only
  }
  printf("random: %d tries, %d edges, %d cycles found (longest %d edges)\n",
         tries, nedges, cycles, longest);
}

// ---- threads ----

#define PERTHREAD 20000
#define SPAN 5           // edges go from class i to i+1..i+SPAN-1: fewer than
                         // LOCKGRAPH_EDGES of them

static int nthreads;

static void *
adder(void *arg)
{
  long id = (long)arg;
  uint64 seed = 1000 + id;

  shim_setcpu(id);
  for(int i = 0; i < PERTHREAD; i++){
    int a = shim_rand(&seed) % (N - SPAN);
    int b = a + 1 + shim_rand(&seed) % (SPAN - 1);
    lockgraph_node(a);
    if(!lockgraph_known(a, b) && add(a, b) != LOCKGRAPH_ADDED)
      shim_fail("an edge upwards was refused", a, b);
  }
  return 0;
}

static void
test_threads(void)
{
  pthread_t t[NCPU];

  for(long i = 0; i < nthreads; i++)
    pthread_create(&t[i], 0, adder, (void *)i);
  for(int i = 0; i < nthreads; i++)
    pthread_join(t[i], 0);

  const struct lockedge *edges;
  int n = lockgraph_edges(&edges);
  for(int i = 0; i < n; i++){
    if(edges[i].to <= edges[i].from || has[edges[i].from][edges[i].to])
      shim_fail("edge wrong or listed twice", edges[i].from, edges[i].to);
    has[edges[i].from][edges[i].to] = 1;
  }
  static uchar listed[N];
  const ushort *nodes;
  int nn = lockgraph_nodes(&nodes);
  for(int i = 0; i < nn; i++){
    if(listed[nodes[i]])
      shim_fail("node listed twice", nodes[i], i);
    listed[nodes[i]] = 1;
  }
  printf("threads: %d threads, %d distinct edges, %d nodes\n", nthreads, n, nn);
}

int
main(int argc, char *argv[])
{
  if(argc != 3){
    fprintf(stderr, "usage: test_lockgraph chain|random|threads NTHREADS\n");
    return 2;
  }
  nthreads = atoi(argv[2]);
  if(nthreads < 1 || nthreads > NCPU)
    shim_fail("bad number of threads", nthreads, NCPU);
  shim_setcpu(0);
  if(strcmp(argv[1], "chain") == 0)
    test_chain();
  else if(strcmp(argv[1], "random") == 0)
    test_random();
  else if(strcmp(argv[1], "threads") == 0)
    test_threads();
  else
    shim_fail("unknown test", 0, 0);
  printf("PASS\n");
  return 0;
}
