// What kalloctest and bcachetest share (user/lockmeasure.c): the growth of
// the statistics report's tot= over each of their tests, numbered 0 to
// MAXTEST, and of the whole kernel's spins, and the lines of their own that
// they print about it. Include kernel/types.h first.
#define MAXTEST 4

extern char report[];    // the statistics report read last, reportlen bytes
extern int reportlen;

// A test's figures: tot at its start and end (-1 while unknown), the
// ticks it took, and the whole kernel's spins at its start and end (-1 if
// unknown: the lock profiler is off).
struct figures {
  long start;
  long end;
  int ticks;
  long spinstart;
  long spinend;
};
extern struct figures figures[MAXTEST + 1];

void begin(int test);
long end(int test);
int underlimit(int test, long growth, long limit);
void printfigures(int first, int last);
int reap(void);
