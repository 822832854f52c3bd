// The lock-order checker's graph (lockgraph.c): which lock was held when
// another was taken, between lock classes. Used by lockdep.c.
//
// A node is a lock class at a nesting depth: node = depth * NLOCKCLASS +
// class, depth 0 for a lock taken without a declared nesting (see
// lockdep_nest). An edge from -> to says that a lock of node `to` was once
// taken while one of node `from` was held. Nodes and edges are only ever
// added.

// Depths of nesting the checker tells apart (0 to LOCKDEP_DEPTH - 1).
#define LOCKDEP_DEPTH 4

// The host test builds the graph with more nodes than the kernel has.
#ifndef LOCKGRAPH_NODES
#define LOCKGRAPH_NODES (NLOCKCLASS * LOCKDEP_DEPTH)
#endif
#define LOCKGRAPH_EDGES 4096

// An edge, and who made it first: where each of the two locks was taken.
#define LOCKEDGE_CALLERS 4
struct lockedge {
  ushort from;
  ushort to;
  short cpu;
  int pid;              // 0 if no process
  uint64 frompc;        // where the lock of `from` was acquired
  uint64 topc;          // where the lock of `to` was acquired
  uint64 callers[LOCKEDGE_CALLERS];  // the calls that led to topc, innermost
                                     // first; 0 after the last
};

// What lockgraph_add did with a new edge.
#define LOCKGRAPH_ADDED   0
#define LOCKGRAPH_FULL   -1   // no room: nothing added
// A result > 0 is the length of the cycle's other side: nothing added.

void  lockgraph_node(int n);
int   lockgraph_known(int from, int to);
int   lockgraph_add(struct lockedge *e, struct lockedge *path, int max);
int   lockgraph_nodes(const ushort **list);
int   lockgraph_edges(const struct lockedge **list);
