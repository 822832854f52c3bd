// ls [PATH...]: list files as "name type inode size". A directory is listed
// entry by entry; anything else is listed itself. Without PATH, lists ".".
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/param.h"
#include "user/user.h"

// Print one line, the name padded to DIRSIZ so the columns line up.
static void
show(char *name, struct stat *st)
{
  char field[DIRSIZ + 1];
  int n = strlen(name);

  if(n > DIRSIZ)
    n = DIRSIZ;
  memset(field, ' ', DIRSIZ);
  memmove(field, name, n);
  field[DIRSIZ] = 0;
  printf("%s %d %d %llu\n", field, st->type, st->ino, st->size);
}

static char *
basename(char *path)
{
  char *p = path + strlen(path);

  // Trailing slashes belong to the path, not to the name.
  while(p > path && p[-1] == '/')
    p--;
  while(p > path && p[-1] != '/')
    p--;
  return p;
}

// List every entry of the directory open as fd, whose path is dir.
static void
listdir(int fd, char *dir)
{
  char path[MAXPATH + DIRSIZ + 2];
  char name[DIRSIZ + 1];
  struct dirent de;
  struct stat st;
  int len = strlen(dir);

  if(len + 1 + DIRSIZ + 1 > sizeof(path)){
    fprintf(2, "ls: path too long: %s\n", dir);
    return;
  }
  strcpy(path, dir);
  path[len++] = '/';
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0)
      continue;
    // A name of exactly DIRSIZ characters has no terminating 0.
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    strcpy(path + len, name);
    if(stat(path, &st) < 0){
      fprintf(2, "ls: cannot stat %s\n", path);
      continue;
    }
    show(name, &st);
  }
}

static int
ls(char *path)
{
  struct stat st;
  int fd = open(path, O_RDONLY);

  if(fd < 0){
    fprintf(2, "ls: cannot open %s\n", path);
    return 1;
  }
  if(fstat(fd, &st) < 0){
    fprintf(2, "ls: cannot stat %s\n", path);
    close(fd);
    return 1;
  }
  if(st.type == T_DIR)
    listdir(fd, path);
  else
    show(basename(path), &st);
  close(fd);
  return 0;
}

int
main(int argc, char *argv[])
{
  int status = 0;

  if(argc < 2)
    return ls(".");
  for(int i = 1; i < argc; i++)
    status |= ls(argv[i]);
  return status;
}
