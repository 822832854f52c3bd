// The crash test's workload (docs/crash.md), shared by crashwork, which
// runs it, and crashcheck, which replays it in memory to check what a
// power cut left on the disk.
//
// crashwork makes the directory CRASHDIR, then NWORKERS processes (workers)
// run the same script of operations at once. Every name a worker uses in
// CRASHDIR starts with its number, so worker 1's "a" is CRASHDIR/1a and its
// "s/x" is CRASHDIR/1s/x. Each operation is one system call that the kernel
// does as one log operation, so after a crash each worker's files must show
// the effect of the first k operations of its script, for some k, and of
// no part of the others.

#define CRASHDIR  "/cw"
#define NWORKERS  4
#define NSLOTS    4           // files a worker has open at once

enum opkind {
  OP_CREATE,    // open name with O_CREATE into slot
  OP_OPEN,      // open name into slot, and read to its end to append
  OP_TRUNC,     // open name with O_TRUNC into slot
  OP_WRITE,     // write len bytes to slot at its position
  OP_CLOSE,     // close slot
  OP_MKDIR,     // mkdir name
  OP_LINK,      // link name to name2
  OP_UNLINK,    // unlink name (a file, or an empty directory)
};

struct op {
  enum opkind kind;
  char *name;
  char *name2;
  int slot;
  int len;
};

// Operation seq of the script is script[seq - 1]; seq counts from 1.
extern const struct op script[];
extern const int nscript;

// What every file holds: each 8-byte word says which worker wrote it, in
// which operation, at which offset. Writes start and end on word
// boundaries.
#define WORD_MAGIC 0x63ULL
uint64 crashword(int worker, int seq, uint off);
void crashdata(uint64 *buf, int worker, int seq, uint off, int len);

// The path of a script name for a worker: CRASHDIR/<worker><name>.
void crashpath(char *buf, int worker, const char *name);

// Print "operation seq (what it does)" to fd, for messages.
void printop(int fd, int seq);
