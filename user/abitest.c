// abitest: check that the headers and the user library provide the xv6
// user ABI of docs/ABI.md. Compiling proves the names exist; running checks
// their values and that the library behaves. Prints one line with "FAIL"
// per mismatch, then "abitest OK" if there was none.
//
// The headers are included in an unusual order on purpose: the ABI allows
// any order after types.h.
#include "kernel/types.h"
#include "user/user.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/syscall.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/param.h"

static int failures;

static void
expect(const char *what, uint64 got, uint64 want)
{
  if(got != want){
    printf("abitest: FAIL: %s is %lu (0x%lx), expected %lu (0x%lx)\n",
           what, (unsigned long)got, (unsigned long)got,
           (unsigned long)want, (unsigned long)want);
    failures++;
  }
}

static void
check(const char *what, int ok)
{
  if(!ok){
    printf("abitest: FAIL: %s\n", what);
    failures++;
  }
}

// EXPECT(NAME, value) compares a constant with the value docs/ABI.md gives it.
#define EXPECT(name, value) expect(#name, (uint64)(name), (uint64)(value))

static void
constants(void)
{
  EXPECT(NPROC, 64);
  EXPECT(NCPU, 8);
  EXPECT(NOFILE, 16);
  EXPECT(NFILE, 100);
  EXPECT(NINODE, 50);
  EXPECT(NDEV, 10);
  EXPECT(ROOTDEV, 1);
  EXPECT(MAXARG, 32);
  EXPECT(MAXOPBLOCKS, 10);
  EXPECT(LOGSIZE, 30);
  EXPECT(NBUF, 30);
  EXPECT(FSSIZE, 2000);
  EXPECT(MAXPATH, 128);
  EXPECT(USERSTACK, 1);

  EXPECT(T_DIR, 1);
  EXPECT(T_FILE, 2);
  EXPECT(T_DEVICE, 3);
  EXPECT(O_RDONLY, 0x000);
  EXPECT(O_WRONLY, 0x001);
  EXPECT(O_RDWR, 0x002);
  EXPECT(O_CREATE, 0x200);
  EXPECT(O_TRUNC, 0x400);

  EXPECT(ROOTINO, 1);
  EXPECT(BSIZE, 1024);
  EXPECT(FSMAGIC, 0x10203040);
  EXPECT(NDIRECT, 12);
  EXPECT(NINDIRECT, 256);
  EXPECT(MAXFILE, 268);
  EXPECT(DIRSIZ, 14);
  EXPECT(sizeof(struct dinode), 64);
  EXPECT(sizeof(struct dirent), 16);
  EXPECT(sizeof(struct superblock), 32);
  EXPECT(IPB, 16);
  EXPECT(BPB, 8192);
  struct superblock sb = { .inodestart = 32, .bmapstart = 45 };
  EXPECT(IBLOCK(17, sb), 33);
  EXPECT(BBLOCK(9000, sb), 46);

  EXPECT(PGSIZE, 4096);
  EXPECT(PGSHIFT, 12);
  EXPECT(PGROUNDUP(4097), 8192);
  EXPECT(PGROUNDDOWN(4097), 4096);
  EXPECT(MAXVA, 0x4000000000L);
  EXPECT(PTE_V, 1);
  EXPECT(PTE_R, 2);
  EXPECT(PTE_W, 4);
  EXPECT(PTE_X, 8);
  EXPECT(PTE_U, 16);
  EXPECT(KERNBASE, 0x80000000L);
  EXPECT(PHYSTOP, 0x88000000L);
  EXPECT(TRAMPOLINE, 0x4000000000L - 4096);
  EXPECT(TRAPFRAME, 0x4000000000L - 2 * 4096);

  EXPECT(sizeof(uint8), 1);
  EXPECT(sizeof(uint16), 2);
  EXPECT(sizeof(uint32), 4);
  EXPECT(sizeof(uint64), 8);
  EXPECT(sizeof(pde_t), 8);
  EXPECT(sizeof(uint), 4);
  EXPECT(sizeof(ushort), 2);
  EXPECT(sizeof(uchar), 1);
}

static void
syscalls(void)
{
  EXPECT(SYS_fork, 1);
  EXPECT(SYS_exit, 2);
  EXPECT(SYS_wait, 3);
  EXPECT(SYS_pipe, 4);
  EXPECT(SYS_read, 5);
  EXPECT(SYS_kill, 6);
  EXPECT(SYS_exec, 7);
  EXPECT(SYS_fstat, 8);
  EXPECT(SYS_chdir, 9);
  EXPECT(SYS_dup, 10);
  EXPECT(SYS_getpid, 11);
  EXPECT(SYS_sbrk, 12);
  EXPECT(SYS_sleep, 13);
  EXPECT(SYS_uptime, 14);
  EXPECT(SYS_open, 15);
  EXPECT(SYS_write, 16);
  EXPECT(SYS_mknod, 17);
  EXPECT(SYS_unlink, 18);
  EXPECT(SYS_link, 19);
  EXPECT(SYS_mkdir, 20);
  EXPECT(SYS_close, 21);
}

static void
stack(void)
{
  int local;
  uint64 sp = r_sp();
  uint64 brk = (uint64)sbrk(0);

  check("r_sp() lies inside the process", sp > 0 && sp < brk);
  check("r_sp() is near a local variable",
        sp <= (uint64)&local && (uint64)&local - sp < PGSIZE);
}

static void
strings(void)
{
  char a[32], b[32];

  check("strcpy", strcpy(a, "hello") == a && strcmp(a, "hello") == 0);
  check("strlen", strlen(a) == 5 && strlen("") == 0);
  check("strcmp orders", strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 &&
        strcmp("ab", "abc") < 0 && strcmp("", "") == 0);
  check("strchr finds", strchr(a, 'l') == a + 2);
  check("strchr misses", strchr(a, 'z') == 0);

  check("memset", memset(b, 'x', 10) == b && b[0] == 'x' && b[9] == 'x');
  b[10] = 0;
  check("memcmp equal", memcmp(b, "xxxxxxxxxx", 11) == 0);
  check("memcmp orders", memcmp("abc", "abd", 3) < 0 && memcmp("b", "a", 1) > 0);
  check("memcpy", memcpy(b, "0123456789", 11) == b && strcmp(b, "0123456789") == 0);
  check("memmove forward overlap", memmove(b + 2, b, 5) == b + 2 &&
        memcmp(b, "0101234789", 10) == 0);
  memcpy(b, "0123456789", 11);
  memmove(b, b + 2, 5);
  check("memmove backward overlap", memcmp(b, "2345656789", 10) == 0);

  check("atoi", atoi("12345") == 12345 && atoi("0") == 0 && atoi("42abc") == 42);
}

static void
heap(void)
{
  char *p[64];
  int ok = 1;

  for(int i = 0; i < 64; i++){
    p[i] = malloc(100 + i * 37);
    if(p[i] == 0){
      ok = 0;
      break;
    }
    memset(p[i], i, 100 + i * 37);
  }
  check("malloc", ok);
  for(int i = 0; ok && i < 64; i++)
    if(p[i][0] != i || p[i][99 + i * 37] != i)
      ok = 0;
  check("malloc blocks keep their contents", ok);
  for(int i = 0; i < 64; i += 2)
    free(p[i]);
  for(int i = 1; i < 64; i += 2)
    free(p[i]);
  // After everything is freed the blocks must have merged again.
  char *big = malloc(64 * 100);
  check("free merges blocks", big != 0);
  free(big);
  check("malloc of an impossible size fails", malloc(0xffffffff) == 0);
}

// Print with fprintf into a pipe, and printf into the same pipe made
// standard output, and compare what arrives with what is expected.
static void
formats(void)
{
  char buf[256];
  int p[2], n;

  if(pipe(p) < 0){
    check("pipe for the printf checks", 0);
    return;
  }
  fprintf(p[1], "%d %u %x %c %s %% %p|", -42, 3000000000U, 0xbeef, 'z', "str", (void *)0x1234);
  fprintf(p[1], "%ld %lx %lu %llu %lld %lu|", -5000000000L, 0x123456789abL,
          18446744073709551615UL, 12345678901234ULL, -1LL, 0UL);
  int saved = dup(1);
  close(1);
  dup(p[1]);
  printf("%s=%d|", "printf", 7);
  close(1);
  dup(saved);
  close(saved);
  close(p[1]);
  n = 0;
  for(int r; n < sizeof(buf) - 1 && (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0; )
    n += r;
  close(p[0]);
  buf[n] = 0;
  const char *want = "-42 3000000000 beef z str % 0x0000000000001234|"
                     "-5000000000 123456789ab 18446744073709551615 12345678901234 -1 0|"
                     "printf=7|";
  if(strcmp(buf, want) != 0){
    printf("abitest: FAIL: printf wrote\n  %s\nexpected\n  %s\n", buf, want);
    failures++;
  }
}

static void
files(void)
{
  struct stat st;
  int fd;

  check("stat /README", stat("/README", &st) == 0);
  check("/README is a regular file", st.type == T_FILE);
  check("/README has a link and an inode", st.nlink >= 1 && st.ino > 0);
  check("/README is not empty", st.size > 0);
  check("stat of a missing file fails", stat("/no-such-file", &st) < 0);
  check("/ is a directory", stat("/", &st) == 0 && st.type == T_DIR && st.ino == ROOTINO);
  check("/console is a device", stat("/console", &st) == 0 && st.type == T_DEVICE);

  fd = open("/README", O_RDONLY);
  check("open /README", fd >= 0);
  check("fstat /README", fd >= 0 && fstat(fd, &st) == 0 && st.type == T_FILE);
  close(fd);
}

static void
stats(void)
{
  static char buf[4097];
  int n = statistics(buf, sizeof(buf) - 1);

  check("statistics() reads the report", n > 0);
  if(n <= 0)
    return;
  buf[n] = 0;
  int found = 0;
  for(char *s = buf; *s && !found; s++)
    found = memcmp(s, "tot= ", 5) == 0;
  check("the statistics report holds \"tot= \"", found);
}

int
main(void)
{
  constants();
  syscalls();
  stack();
  strings();
  heap();
  formats();
  files();
  stats();
  if(failures){
    printf("abitest: %d failures\n", failures);
    return 1;
  }
  printf("abitest OK\n");
  return 0;
}
