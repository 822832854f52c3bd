// grind [SECONDS]: randomised stress test. NWORKER worker processes issue
// random system calls forever: files and directories in a small private
// namespace (/grindN), pipes to a child, fork/exit/wait, sbrk, exec, kill,
// and calls with bad pointers. Results that the kernel must get right are
// checked (data read back from files and pipes, exit statuses, sbrk's
// break); anything else may fail (a full disk, a name that does not
// exist) without harm.
//
// Processes: the supervisor (main) starts the workers and a reporter, and
// restarts a worker that exits. Workers send the reporter one byte per
// REPORT_EVERY operations through a pipe; the reporter prints
// "grind: N rounds, T s" every LINE_EVERY operations or LINE_TICKS ticks,
// whichever comes first, so that a hang shows as missing progress lines,
// and "grind: FAILED: ..." when one worker has been stuck while the others
// went on. A worker that finds a wrong result
// prints "grind: FAILED: worker N: ..." and exits; it is then restarted.
//
// Without an argument grind runs until killed; with SECONDS it stops after
// that long, removes its files and prints "grind: done".
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "user/user.h"

enum {
  NWORKER = 4,
  REPORT_EVERY = 20,       // operations per progress byte
  LINE_EVERY = 1000,       // a progress line after this many operations
  LINE_TICKS = 50,         // or after this long
  STALL_TICKS = 1200,      // a worker without progress this long is stuck
  CLOCK_TICKS = 10,        // how often the supervisor checks the time
  NFD = 6,                 // files a worker keeps open
  MAXSIZE = 3 * BSIZE,     // files are not grown beyond this (disk usage)
  BUFSZ = 4096,
};

// ---------------------------------------------------------------------------
// State of one worker process (each has its own copy after fork).

static int me;                 // worker number
static char home[16];          // "/grindN"
static int progfd = -1;        // write end of the progress pipe
static int fds[NFD];           // open files, -1 for a free slot
static uint64 rng;             // xorshift64 state, never 0
static char buf[BUFSZ], want[BUFSZ];

// Names the file operations use, relative to the current directory (which
// is home, home/d or home/e), so the namespace stays small and shallow.
static char *names[] = { "a", "b", "c", "d", "e", "d/a", "d/b", "e/c" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

static uint
rnd(uint n)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (rng >> 16) % n;
}

static char *
somename(void)
{
  return names[rnd(NNAMES)];
}

// Fill b[0..n) with bytes determined by seed, so a reader that knows the
// seed can check them.
static void
fill(char *b, int n, uint64 seed)
{
  for(int k = 0; k < n; k++){
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    b[k] = seed >> 56;
  }
}

// The kernel got something wrong: say what, and stop this worker.
static void
bad(char *what, long got, long expected)
{
  printf("grind: FAILED: worker %d: %s (got %ld, expected %ld)\n", me, what, got, expected);
  exit(1);
}

// fork for a worker's helper child, which must not keep the progress pipe
// open (the reporter waits for its end).
static int
forkchild(void)
{
  int pid = fork();

  if(pid == 0)
    close(progfd);
  return pid;
}

// Wait for the worker's only child and return its exit status.
static int
reapchild(int pid)
{
  int status;
  int got = wait(&status);

  if(got != pid)
    bad("wait returned another pid", got, pid);
  return status;
}

// Append s to the path p (of MAXPATH bytes); returns -1 if it does not fit.
static int
pathcat(char *p, char *s)
{
  int n = strlen(p);

  if(n + strlen(s) + 1 > MAXPATH)
    return -1;
  strcpy(p + n, s);
  return 0;
}

// Remove path and, if it is a directory, everything below it.
static void
rmtree(char *path)
{
  struct stat st;
  struct dirent de;
  char sub[MAXPATH];

  if(stat(path, &st) < 0)
    return;
  if(st.type == T_DIR){
    int fd = open(path, O_RDONLY);
    if(fd < 0)
      return;
    while(read(fd, &de, sizeof(de)) == sizeof(de)){
      char name[DIRSIZ + 1];
      if(de.inum == 0)
        continue;
      memmove(name, de.name, DIRSIZ);
      name[DIRSIZ] = 0;
      if(strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        continue;
      strcpy(sub, path);
      if(pathcat(sub, "/") == 0 && pathcat(sub, name) == 0)
        rmtree(sub);
    }
    close(fd);
  }
  unlink(path);
}

// Worker w's directory, "/grindW".
static void
homeof(char *dir, int w)
{
  strcpy(dir, "/grind");
  dir[6] = '0' + w;
  dir[7] = 0;
}

// ---------------------------------------------------------------------------
// Operations on files and directories. Their results are not checked: with
// random names and flags most of them may fail.

// A random slot of fds[]; with `open` set, one that holds an open file if
// there is one.
static int
someslot(int open)
{
  int s = rnd(NFD);

  for(int k = 0; open && k < NFD && fds[s] < 0; k++)
    s = (s + 1) % NFD;
  return s;
}

static void
keepfd(int fd)
{
  int s = someslot(0);

  if(fds[s] >= 0)
    close(fds[s]);
  fds[s] = fd;
}

static void
op_open(void)
{
  static int flags[] = {
    O_RDONLY, O_WRONLY, O_RDWR, O_CREATE | O_RDWR, O_CREATE | O_WRONLY | O_TRUNC,
    O_RDWR | O_TRUNC,
  };
  int fd = open(somename(), flags[rnd(sizeof(flags) / sizeof(flags[0]))]);

  if(fd >= 0)
    keepfd(fd);
}

static void
op_close(void)
{
  int s = someslot(1);

  if(fds[s] >= 0)
    close(fds[s]);
  fds[s] = -1;
}

static void
op_write(void)
{
  struct stat st;
  int fd = fds[someslot(1)];

  if(fd < 0 || fstat(fd, &st) < 0 || st.size >= MAXSIZE)
    return;
  int n = 1 + rnd(BSIZE);
  fill(buf, n, rng);
  int r = write(fd, buf, n);
  if(r > n)
    bad("write wrote more than asked", r, n);
}

static void
op_read(void)
{
  int fd = fds[someslot(1)];
  int n = 1 + rnd(BUFSZ);
  int r = read(fd, buf, n);

  if(r > n)
    bad("read returned more than asked", r, n);
}

static void
op_dup(void)
{
  int fd = fds[someslot(1)];
  struct stat st;

  if(fd < 0)
    return;
  if(fstat(fd, &st) < 0)
    bad("fstat of an open file failed", -1, 0);
  if(st.type != T_FILE && st.type != T_DIR)
    bad("fstat: a file of an unknown type", st.type, T_FILE);
  if(st.size > MAXFILE * BSIZE)
    bad("fstat: a file larger than MAXFILE blocks", st.size, MAXFILE * BSIZE);
  int d = dup(fd);
  if(d >= 0)
    keepfd(d);
}

static void
op_unlink(void)
{
  unlink(somename());
}

static void
op_link(void)
{
  link(somename(), somename());
}

static void
op_mkdir(void)
{
  mkdir(somename());
}

static void
op_chdir(void)
{
  static char *subdirs[] = { "", "/d", "/e" };
  char path[MAXPATH];

  strcpy(path, home);
  pathcat(path, subdirs[rnd(3)]);
  chdir(path);
}

// Write a file of random length and contents, read it back and compare.
static void
op_filecheck(void)
{
  char path[MAXPATH];
  int n = 1 + rnd(BUFSZ);

  strcpy(path, home);
  pathcat(path, "/v");
  int fd = open(path, O_CREATE | O_TRUNC | O_RDWR);
  if(fd < 0)
    return;
  fill(want, n, rng);
  int w = write(fd, want, n);
  close(fd);
  // A short write means the disk is full; that is no error.
  if(w == n){
    if((fd = open(path, O_RDONLY)) < 0)
      bad("cannot reopen a file just written", fd, 0);
    int got = 0, r;
    while(got < BUFSZ && (r = read(fd, buf + got, BUFSZ - got)) > 0)
      got += r;
    close(fd);
    if(got != n)
      bad("file read back has the wrong length", got, n);
    if(memcmp(buf, want, n) != 0)
      bad("file read back holds wrong data", 0, 0);
  }
  unlink(path);
}

// ---------------------------------------------------------------------------
// Operations on processes and memory. Their results are checked.

// Send n bytes made from seed through fd in random pieces. Returns 0 if
// all were written.
static int
pipesend(int fd, int n, uint64 seed)
{
  fill(want, n, seed);
  for(int off = 0; off < n; ){
    int piece = 1 + rnd(n - off);
    if(write(fd, want + off, piece) != piece)
      return -1;
    off += piece;
  }
  return 0;
}

// Read fd to its end and check that it brought the n bytes made from seed.
// Returns 0 if so.
static int
pipereceive(int fd, int n, uint64 seed)
{
  int got = 0, r;

  fill(want, n, seed);
  while(got <= n && (r = read(fd, buf + got, BUFSZ - got)) > 0)
    got += r;
  return got == n && memcmp(buf, want, n) == 0 ? 0 : -1;
}

// A pipe between the worker and a child, data going either way.
static void
op_pipe(void)
{
  int p[2];
  int n = 1 + rnd(BUFSZ - 1);
  uint64 seed = rng;
  int childsends = rnd(2);

  if(pipe(p) < 0)
    return;
  int pid = forkchild();
  if(pid < 0){
    close(p[0]);
    close(p[1]);
    return;
  }
  if(pid == 0){
    close(p[childsends ? 0 : 1]);
    exit(childsends ? pipesend(p[1], n, seed) != 0 : pipereceive(p[0], n, seed) != 0);
  }
  close(p[childsends ? 1 : 0]);
  if(childsends){
    if(pipereceive(p[0], n, seed) < 0)
      bad("data read from a pipe is wrong", 0, n);
    close(p[0]);
  } else {
    if(pipesend(p[1], n, seed) < 0)
      bad("write to a pipe with a reader failed", -1, n);
    close(p[1]);
  }
  int status = reapchild(pid);
  if(status != 0)
    bad(childsends ? "pipe writer child failed" : "child read wrong data from a pipe",
        status, 0);
}

// fork, exit with a chosen status, wait. Sometimes the child leaves an
// orphan behind for init to collect.
static void
op_fork(void)
{
  int want = rnd(100);
  int orphan = rnd(4) == 0;
  int pid = forkchild();

  if(pid < 0)
    return;
  if(pid == 0){
    if(orphan && fork() == 0)
      exit(0);
    exit(want);
  }
  int status = reapchild(pid);
  if(status != want)
    bad("wrong exit status from wait", status, want);
}

// Grow the heap, touch every new page, shrink it back.
static void
op_sbrk(void)
{
  int pages = rnd(8) == 0 ? 256 : 1 + rnd(16);
  int n = pages * PGSIZE;
  char *old = sbrk(n);

  if(old == (char *)-1)
    return;
  if(sbrk(0) != old + n)
    bad("sbrk(0) after growing", (long)sbrk(0), (long)(old + n));
  for(int i = 0; i < pages; i++){
    char *p = old + i * PGSIZE;
    p[0] = i;
    p[PGSIZE - 1] = i + 1;
  }
  for(int i = 0; i < pages; i++){
    char *p = old + i * PGSIZE;
    if(p[0] != (char)i || p[PGSIZE - 1] != (char)(i + 1))
      bad("a page given by sbrk lost its contents", p[0], (char)i);
  }
  char *top = sbrk(-n);
  if(top != old + n)
    bad("sbrk(-n) returned", (long)top, (long)(old + n));
  if(sbrk(0) != old)
    bad("sbrk(0) after shrinking", (long)sbrk(0), (long)old);
}

// Run echo with a random word and its output going to a file, then check
// the file. Sometimes exec a program that does not exist instead.
static void
op_exec(void)
{
  char path[MAXPATH], word[8];
  int missing = rnd(4) == 0;

  strcpy(word, "w");
  for(int k = 1; k < 6; k++)
    word[k] = 'a' + rnd(26);
  word[6] = 0;
  strcpy(path, home);
  pathcat(path, "/o");
  int fd = open(path, O_CREATE | O_TRUNC | O_WRONLY);
  if(fd < 0)
    return;
  int pid = forkchild();
  if(pid < 0){
    close(fd);
    return;
  }
  if(pid == 0){
    char *argv[] = { "echo", word, 0 };
    close(1);
    dup(fd);
    close(fd);
    exec(missing ? "/grind-no-such-program" : "/echo", argv);
    exit(missing ? 42 : 43);
  }
  close(fd);
  int status = reapchild(pid);
  if(missing && status != 42)
    bad("exec of a missing program did not return", status, 42);
  if(!missing){
    if(status != 0)
      bad("echo exited with", status, 0);
    if((fd = open(path, O_RDONLY)) < 0)
      bad("cannot open echo's output", fd, 0);
    int n = read(fd, buf, BUFSZ);
    close(fd);
    word[6] = '\n';
    if(n != 7 || memcmp(buf, word, 7) != 0)
      bad("echo's output is wrong; its length", n, 7);
  }
  unlink(path);
}

// Kill a child that sleeps or computes for 5 seconds: wait must report
// status -1, unless the kill came too late.
static void
op_kill(void)
{
  int sleeper = rnd(2);
  int t0 = uptime();
  int pid = forkchild();

  if(pid < 0)
    return;
  if(pid == 0){
    if(sleeper)
      sleep(50);
    else
      while(uptime() < t0 + 50)
        for(volatile int i = 0; i < 100000; i++)
          ;
    exit(7);
  }
  sleep(rnd(3));
  if(kill(pid) < 0)
    bad("kill of a live child failed", -1, 0);
  // Measured after kill returned: if that was within 50 ticks of the fork,
  // the child cannot have finished on its own.
  int late = uptime() - t0 >= 50;
  int status = reapchild(pid);
  if(status != -1 && !(late && status == 7))
    bad("status of a killed child", status, -1);
}

// System calls with pointers into the kernel or beyond MAXVA, and a
// negative length: they must fail, and nothing else may happen.
static void
op_badptr(void)
{
  static char *ptrs[] = { (char *)KERNBASE, (char *)PHYSTOP - 64, (char *)MAXVA - 64,
                          (char *)TRAPFRAME };
  char *p = ptrs[rnd(sizeof(ptrs) / sizeof(ptrs[0]))];
  int fd = fds[someslot(1)];
  int r;

  switch(rnd(5)){
  case 0:
    if((r = read(fd, p, 64)) > 0)
      bad("read into a bad pointer succeeded", r, -1);
    break;
  case 1:
    if((r = write(fd, p, 64)) > 0)
      bad("write from a bad pointer succeeded", r, -1);
    break;
  case 2:
    if((r = open(p, O_RDONLY)) >= 0)
      bad("open of a bad path pointer succeeded", r, -1);
    break;
  case 3:
    if((r = pipe((int *)p)) >= 0)
      bad("pipe into a bad pointer succeeded", r, -1);
    break;
  default:
    if((r = read(fd, buf, -1 - rnd(1000))) > 0)
      bad("read with a negative length succeeded", r, -1);
    break;
  }
}

// Exit now and then, so that workers also die with files open and are
// replaced.
static void
op_exit(void)
{
  if(rnd(100) == 0)
    exit(0);
}

// Operations and how often each is chosen.
static struct {
  void (*fn)(void);
  int weight;
} ops[] = {
  { op_open, 4 }, { op_close, 2 }, { op_write, 4 }, { op_read, 3 }, { op_dup, 1 },
  { op_unlink, 2 }, { op_link, 1 }, { op_mkdir, 1 }, { op_chdir, 1 },
  { op_filecheck, 2 }, { op_pipe, 2 }, { op_fork, 2 }, { op_sbrk, 2 },
  { op_exec, 1 }, { op_kill, 1 }, { op_badptr, 1 }, { op_exit, 1 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static void
worker(int w, uint64 seed)
{
  char id = w;
  int total = 0;

  me = w;
  rng = seed | 1;
  homeof(home, w);
  for(int s = 0; s < NFD; s++)
    fds[s] = -1;
  for(int i = 0; i < NOPS; i++)
    total += ops[i].weight;
  // Start from an empty home: an earlier worker may have left anything.
  rmtree(home);
  if(mkdir(home) < 0 || chdir(home) < 0){
    printf("grind: worker %d: cannot make %s\n", w, home);
    sleep(CLOCK_TICKS);   // the supervisor restarts us: not too often
    exit(2);
  }
  write(progfd, &id, 1);
  for(int n = 1; ; n++){
    int pick = rnd(total), i = 0;
    while(pick >= ops[i].weight)
      pick -= ops[i++].weight;
    ops[i].fn();
    if(n % REPORT_EVERY == 0)
      write(progfd, &id, 1);
  }
}

// ---------------------------------------------------------------------------
// The reporter and the supervisor.

// Count the progress bytes arriving on fd until every writer has closed it.
// A line is printed only when progress arrives, so a hang stays silent.
static void
reporter(int fd)
{
  int last[NWORKER], warned[NWORKER] = { 0 };
  int bytes = 0, t0 = uptime(), lineticks = t0, linebytes = 0;
  char id;

  for(int w = 0; w < NWORKER; w++)
    last[w] = t0;
  while(read(fd, &id, 1) == 1){
    int now = uptime();
    if(id >= 0 && id < NWORKER){
      last[(int)id] = now;
      warned[(int)id] = 0;
    }
    bytes++;
    if((bytes - linebytes) * REPORT_EVERY >= LINE_EVERY || now - lineticks >= LINE_TICKS){
      printf("grind: %d rounds, %d s\n", bytes * REPORT_EVERY, (now - t0) / 10);
      linebytes = bytes;
      lineticks = now;
    }
    for(int w = 0; w < NWORKER; w++)
      if(!warned[w] && now - last[w] > STALL_TICKS){
        printf("grind: FAILED: worker %d made no progress for %d s\n", w,
               (now - last[w]) / 10);
        warned[w] = 1;
      }
  }
  printf("grind: %d rounds in all\n", bytes * REPORT_EVERY);
  exit(0);
}

static int
startworker(int w, int restarts)
{
  int pid = fork();

  if(pid == 0)
    worker(w, (uint64)(w + 1) * 0x9e3779b97f4a7c15ULL ^ (uint64)uptime() << 20 ^ restarts);
  if(pid < 0)
    printf("grind: cannot fork worker %d\n", w);
  return pid;
}

// A child that exits after CLOCK_TICKS, so the supervisor's wait returns
// regularly and it can look at the time.
static int
startclock(void)
{
  int pid = fork();

  if(pid == 0){
    sleep(CLOCK_TICKS);
    exit(0);
  }
  return pid;
}

int
main(int argc, char *argv[])
{
  int secs = argc > 1 ? atoi(argv[1]) : 0;
  int prog[2], workers[NWORKER], restarts = 0;

  if(argc > 2 || secs < 0){
    fprintf(2, "usage: grind [SECONDS]\n");
    exit(1);
  }
  if(chdir("/") < 0 || pipe(prog) < 0){
    printf("grind: cannot set up\n");
    exit(1);
  }
  int deadline = uptime() + secs * 10;
  int rep = fork();
  if(rep == 0){
    close(prog[1]);
    reporter(prog[0]);
  }
  close(prog[0]);
  progfd = prog[1];
  for(int w = 0; w < NWORKER; w++)
    workers[w] = startworker(w, 0);
  int clock = startclock();

  for(;;){
    int status;
    int pid = wait(&status);
    if(pid < 0){
      // Only when every fork failed: try again in a while.
      sleep(CLOCK_TICKS);
    } else if(pid == clock){
      clock = -1;
    } else if(pid == rep){
      printf("grind: FAILED: the reporter exited with status %d\n", status);
      rep = -1;
    } else {
      for(int w = 0; w < NWORKER; w++)
        if(pid == workers[w]){
          if(status == -1)
            printf("grind: FAILED: worker %d was killed by the kernel\n", w);
          else if(status != 0 && status != 1)
            printf("grind: worker %d exited with status %d\n", w, status);
          workers[w] = -1;
        }
    }
    if(secs > 0 && uptime() >= deadline)
      break;
    if(clock < 0)
      clock = startclock();
    for(int w = 0; w < NWORKER; w++)
      if(workers[w] < 0)
        workers[w] = startworker(w, ++restarts);
  }

  // Stop: the reporter ends when the last worker is gone.
  for(int w = 0; w < NWORKER; w++)
    if(workers[w] > 0)
      kill(workers[w]);
  close(progfd);
  while(wait(0) >= 0)
    ;
  for(int w = 0; w < NWORKER; w++){
    homeof(home, w);
    rmtree(home);
  }
  printf("grind: done\n");
  exit(0);
}
