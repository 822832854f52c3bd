// crashcheck: after a power cut during crashwork and a reboot, check that
// each worker's files in CRASHDIR show exactly the first k operations of its
// script, for some k (user/crashops.h, docs/crash.md).
//
// For each worker it replays the script in memory after 0, 1, ... nscript
// operations and compares each result with the files: names, types,
// contents, which names share an inode, and link counts. It also checks
// that "." and ".." are right and that CRASHDIR's link count counts its
// subdirectories. Prints, for each worker, how far it got or what is
// wrong with its files:
//   crashcheck: torn: ...   an operation landed in part: the files are a
//                           mix of before and after it
//   crashcheck: bad: ...    anything else, one line per wrong name
// and ends with "crashcheck: ok" or "crashcheck: N problems" (workers with
// wrong files, and wrong directories).

#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"
#include "user/crashops.h"

#define MAXNAMES 16             // names of one worker in CRASHDIR at once
#define MAXOBJS  8              // files and directories one worker makes
#define MAXSIZE  (20 * BSIZE)   // the largest file the script makes
#define NAMELEN  (2 * DIRSIZ + 2)

// A worker's files as its script leaves them after some operations.
struct model {
  int nnames;
  struct {
    char name[NAMELEN];         // the script's name, without the worker
    int obj;
  } names[MAXNAMES];
  int nobjs;
  struct {
    short type;
    uint size;
    uint64 data[MAXSIZE / 8];
  } objs[MAXOBJS];
  struct {
    int obj;                    // -1 when closed
    uint off;
  } slots[NSLOTS];
};

// A worker's files as found in CRASHDIR.
struct actual {
  int n;
  struct {
    char name[NAMELEN];
    uint inum;
    short type;
    short nlink;
    uint size;
    uint64 *data;               // min(size, MAXSIZE) bytes, for files
  } e[MAXNAMES];
};

static struct model before, after;   // after some k and k + 1 operations
static struct actual found[NWORKERS];
static int problems;

static void scan(void);
static void checkworker(int w);
static int mismatches(struct model *m, struct actual *a);
static void replay(struct model *m, int worker, int nops);
static int differs(struct model *m, struct actual *a, char *name, int say);
static int findname(struct model *m, const char *name);

static void
bad(char *what, char *name)
{
  printf("crashcheck: bad: %s: %s\n", what, name);
  problems++;
}

int
main(void)
{
  struct stat st;

  if(stat(CRASHDIR, &st) < 0){
    // The cut came before crashwork made it: nothing else can exist.
    printf("crashcheck: no %s\n", CRASHDIR);
    printf("crashcheck: ok\n");
    exit(0);
  }
  scan();
  for(int w = 0; w < NWORKERS; w++)
    checkworker(w);
  if(problems){
    printf("crashcheck: %d problems\n", problems);
    exit(1);
  }
  printf("crashcheck: ok\n");
  exit(0);
}

// Is the disk, name by name, like the worker's files after j - 1 or after
// j operations, without being either? Then operation j landed in part.
static int
inpart(struct actual *a, int w, int j)
{
  if(j < 1 || j > nscript)
    return 0;
  replay(&before, w, j - 1);
  replay(&after, w, j);
  for(int i = 0; i < before.nnames; i++)
    if(differs(&before, a, before.names[i].name, 0) &&
       differs(&after, a, before.names[i].name, 0))
      return 0;
  for(int i = 0; i < after.nnames; i++)
    if(differs(&before, a, after.names[i].name, 0) &&
       differs(&after, a, after.names[i].name, 0))
      return 0;
  for(int i = 0; i < a->n; i++)
    if(differs(&before, a, a->e[i].name, 0) && differs(&after, a, a->e[i].name, 0))
      return 0;
  return 1;
}

// Compare one worker's files with its script: find the k that matches
// best, the last of them if several do (operations such as close change
// nothing visible).
static void
checkworker(int w)
{
  struct actual *a = &found[w];
  int best = -1, bestk = 0;

  for(int k = 0; k <= nscript; k++){
    replay(&before, w, k);
    int d = mismatches(&before, a);
    if(best < 0 || d <= best){
      best = d;
      bestk = k;
    }
  }
  if(best == 0){
    printf("crashcheck: worker %d: %d of %d operations\n", w, bestk, nscript);
    return;
  }
  problems++;

  // The closest k may have the torn operation as its last or as its next.
  for(int j = bestk; j <= bestk + 1; j++){
    if(inpart(a, w, j)){
      printf("crashcheck: torn: worker %d: ", w);
      printop(1, j);
      printf(" landed in part\n");
      return;
    }
  }
  // Say what is wrong, against the closest k.
  replay(&before, w, bestk);
  for(int i = 0; i < before.nnames; i++){
    if(differs(&before, a, before.names[i].name, 0)){
      printf("crashcheck: bad: worker %d after %d operations: %s: ", w, bestk,
             before.names[i].name);
      differs(&before, a, before.names[i].name, 1);
    }
  }
  for(int i = 0; i < a->n; i++){
    if(findname(&before, a->e[i].name) < 0){
      printf("crashcheck: bad: worker %d after %d operations: %s: ", w, bestk, a->e[i].name);
      differs(&before, a, a->e[i].name, 1);
    }
  }
}

// ---- the model ----

static int
findname(struct model *m, const char *name)
{
  for(int i = 0; i < m->nnames; i++)
    if(strcmp(m->names[i].name, name) == 0)
      return i;
  return -1;
}

static void
addname(struct model *m, const char *name, int obj)
{
  if(m->nnames == MAXNAMES){
    printf("crashcheck: the script has too many names\n");
    exit(1);
  }
  strcpy(m->names[m->nnames].name, name);
  m->names[m->nnames++].obj = obj;
}

static int
newobj(struct model *m, short type)
{
  if(m->nobjs == MAXOBJS){
    printf("crashcheck: the script makes too many files\n");
    exit(1);
  }
  m->objs[m->nobjs].type = type;
  m->objs[m->nobjs].size = 0;
  return m->nobjs++;
}

// The files worker's first nops operations leave.
static void
replay(struct model *m, int worker, int nops)
{
  m->nnames = 0;
  m->nobjs = 0;
  for(int s = 0; s < NSLOTS; s++)
    m->slots[s].obj = -1;

  for(int seq = 1; seq <= nops; seq++){
    const struct op *o = &script[seq - 1];
    int i = o->name ? findname(m, o->name) : -1;
    switch(o->kind){
    case OP_CREATE:
      i = m->nnames;
      addname(m, o->name, newobj(m, T_FILE));
      // fall through: the new file is open at offset 0
    case OP_TRUNC:
      m->slots[o->slot].obj = m->names[i].obj;
      m->slots[o->slot].off = 0;
      m->objs[m->names[i].obj].size = 0;
      break;
    case OP_OPEN:
      m->slots[o->slot].obj = m->names[i].obj;
      m->slots[o->slot].off = m->objs[m->names[i].obj].size;
      break;
    case OP_WRITE: {
      uint off = m->slots[o->slot].off;
      if(off + o->len > MAXSIZE){
        printf("crashcheck: the script makes too big a file\n");
        exit(1);
      }
      int obj = m->slots[o->slot].obj;
      crashdata(&m->objs[obj].data[off / 8], worker, seq, off, o->len);
      m->slots[o->slot].off = off + o->len;
      if(off + o->len > m->objs[obj].size)
        m->objs[obj].size = off + o->len;
      break;
    }
    case OP_CLOSE:
      m->slots[o->slot].obj = -1;
      break;
    case OP_MKDIR:
      addname(m, o->name, newobj(m, T_DIR));
      break;
    case OP_LINK:
      addname(m, o->name2, m->names[i].obj);
      break;
    case OP_UNLINK:
      m->names[i] = m->names[--m->nnames];
      break;
    }
  }
}

// Is name an entry of directory dir ("s/x" of "s")?
static int
inside(const char *dir, const char *name)
{
  int n = strlen(dir);

  return memcmp(name, dir, n) == 0 && name[n] == '/' && strchr(name + n + 1, '/') == 0;
}

// The link count a name's inode should have: its names, and for a
// directory (which has one name) also the ".." of each subdirectory.
static int
modellinks(struct model *m, int obj)
{
  int n = 0;

  for(int i = 0; i < m->nnames; i++){
    if(m->names[i].obj != obj)
      continue;
    n++;
    if(m->objs[obj].type == T_DIR)
      for(int k = 0; k < m->nnames; k++)
        if(m->objs[m->names[k].obj].type == T_DIR && inside(m->names[i].name, m->names[k].name))
          n++;
  }
  return n;
}

// ---- comparing ----

static int
findactual(struct actual *a, const char *name)
{
  for(int i = 0; i < a->n; i++)
    if(strcmp(a->e[i].name, name) == 0)
      return i;
  return -1;
}

// Describe the word at byte off of a file: which operation wrote it.
static void
sayword(uint64 *data, uint off)
{
  uint64 w = data[off / 8];

  if(w >> 56 == WORD_MAGIC)
    printf("written by worker %d operation %d for offset %d",
           (int)(w >> 48 & 0xff), (int)(w >> 32 & 0xffff), (int)(w & 0xffffffff));
  else
    printf("0x%llx, no operation's word", w);
}

// Does name (of this worker, without its number) differ between the model
// and the disk? If say is set, print why.
static int
differs(struct model *m, struct actual *a, char *name, int say)
{
  int i = findname(m, name), j = findactual(a, name);

  if(i < 0 && j < 0)
    return 0;
  if(j < 0){
    if(say)
      printf("missing\n");
    return 1;
  }
  if(i < 0){
    if(say)
      printf("should not exist\n");
    return 1;
  }
  int obj = m->names[i].obj;
  if(a->e[j].type != m->objs[obj].type){
    if(say)
      printf("type %d, should be %d\n", a->e[j].type, m->objs[obj].type);
    return 1;
  }
  if(a->e[j].nlink != modellinks(m, obj)){
    if(say)
      printf("link count %d, should be %d\n", a->e[j].nlink, modellinks(m, obj));
    return 1;
  }
  // Names share an inode exactly when the script made them share a file.
  for(int k = 0; k < m->nnames; k++){
    int l = findactual(a, m->names[k].name);
    if(l < 0 || k == i)
      continue;
    if((m->names[k].obj == obj) != (a->e[l].inum == a->e[j].inum)){
      if(say)
        printf("%s inode with %s, should be %s\n",
               a->e[l].inum == a->e[j].inum ? "same" : "not the same",
               m->names[k].name, m->names[k].obj == obj ? "the same" : "another");
      return 1;
    }
  }
  if(m->objs[obj].type != T_FILE)
    return 0;
  if(a->e[j].size != m->objs[obj].size){
    if(say){
      printf("size %d, should be %d", a->e[j].size, m->objs[obj].size);
      if(a->e[j].size > m->objs[obj].size && a->e[j].size <= MAXSIZE){
        printf("; its word at %d is ", m->objs[obj].size & ~7);
        sayword(a->e[j].data, m->objs[obj].size & ~7);
      }
      printf("\n");
    }
    return 1;
  }
  for(uint off = 0; off < m->objs[obj].size; off += 8){
    if(a->e[j].data[off / 8] != m->objs[obj].data[off / 8]){
      if(say){
        printf("at offset %d holds ", off);
        sayword(a->e[j].data, off);
        printf(", should hold ");
        sayword(m->objs[obj].data, off);
        printf("\n");
      }
      return 1;
    }
  }
  return 0;
}

static int
mismatches(struct model *m, struct actual *a)
{
  int n = 0;

  for(int i = 0; i < m->nnames; i++)
    n += differs(m, a, m->names[i].name, 0);
  for(int j = 0; j < a->n; j++)
    if(findname(m, a->e[j].name) < 0)
      n++;
  return n;
}

// ---- reading the disk ----

// Fill in entry e from the file at path: its inode, and a file's contents.
static int
load(char *path, int w, char *name, struct stat *st)
{
  struct actual *a = &found[w];

  if(a->n == MAXNAMES){
    bad("too many names", path);
    return -1;
  }
  int i = a->n++;
  strcpy(a->e[i].name, name);
  a->e[i].inum = st->ino;
  a->e[i].type = st->type;
  a->e[i].nlink = st->nlink;
  a->e[i].size = st->size;
  a->e[i].data = 0;
  if(st->type != T_FILE)
    return i;
  uint n = st->size < MAXSIZE ? st->size : MAXSIZE;
  a->e[i].data = malloc(n + 8);
  int fd = open(path, O_RDONLY);
  if(fd < 0 || a->e[i].data == 0 || read(fd, a->e[i].data, n) != n)
    bad("cannot read", path);
  if(fd >= 0)
    close(fd);
  return i;
}

// Call fn for each entry of directory path but "." and "..", and check
// that those point to the directory itself (inode self) and its parent.
static void
eachentry(char *path, uint self, uint parent,
          void (*fn)(char *dir, char *name, uint inum))
{
  struct dirent de;
  char name[DIRSIZ + 1];
  int dot = 0, dotdot = 0;
  int fd = open(path, O_RDONLY);

  if(fd < 0){
    bad("cannot open directory", path);
    return;
  }
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    if(strcmp(name, ".") == 0)
      dot += de.inum == self ? 1 : 100;
    else if(strcmp(name, "..") == 0)
      dotdot += de.inum == parent ? 1 : 100;
    else
      fn(path, name, de.inum);
  }
  close(fd);
  if(dot != 1)
    bad("\".\" missing, repeated or wrong", path);
  if(dotdot != 1)
    bad("\"..\" missing, repeated or wrong", path);
}

static void
join(char *buf, char *dir, char *name)
{
  int n = strlen(dir);

  strcpy(buf, dir);
  buf[n] = '/';
  strcpy(buf + n + 1, name);
}

static uint dirinum;   // CRASHDIR's inode
static int subdirs;    // directories in CRASHDIR
static int curworker;  // whose subdirectory inentry is looking at
static char curdir[NAMELEN];

// An entry in a worker's subdirectory.
static void
inentry(char *dir, char *name, uint inum)
{
  char path[MAXPATH], wname[NAMELEN];
  struct stat st;

  join(path, dir, name);
  join(wname, curdir, name);
  if(stat(path, &st) < 0)
    bad("cannot stat", path);
  else
    load(path, curworker, wname, &st);
}

// An entry of CRASHDIR.
static void
topentry(char *dir, char *name, uint inum)
{
  char path[MAXPATH];
  struct stat st;
  int w = name[0] - '0';

  join(path, dir, name);
  if(w < 0 || w >= NWORKERS || name[1] == 0){
    bad("no worker's name", path);
    return;
  }
  if(stat(path, &st) < 0){
    bad("cannot stat", path);
    return;
  }
  if(load(path, w, name + 1, &st) < 0 || st.type != T_DIR)
    return;
  subdirs++;
  curworker = w;
  strcpy(curdir, name + 1);
  eachentry(path, st.ino, dirinum, inentry);
}

// Read every worker's files into found[].
static void
scan(void)
{
  struct stat st, root;

  if(stat(CRASHDIR, &st) < 0 || stat("/", &root) < 0 || st.type != T_DIR){
    bad("not a directory", CRASHDIR);
    return;
  }
  dirinum = st.ino;
  eachentry(CRASHDIR, st.ino, root.ino, topentry);
  if(st.nlink != 1 + subdirs)
    bad("link count is not 1 + its subdirectories", CRASHDIR);
}
