// System calls about files: arguments are checked here, the work is done
// by file.c, fs.c and pipe.c.

#include "types.h"
#include "riscv.h"
#include "param.h"
#include "stat.h"
#include "spinlock.h"
#include "proc.h"
#include "fs.h"
#include "sleeplock.h"
#include "file.h"
#include "fcntl.h"
#include "defs.h"
#include "lockdep.h"

// The largest link count a short can hold.
#define MAXNLINK 32767

// Argument n as a file descriptor of the calling process. Returns 0 and
// sets *pfd (if pfd is not 0) and *pf, or returns -1 if it is not open.
static int
argfd(int n, int *pfd, struct file **pf)
{
  int fd;
  struct file *f;

  argint(n, &fd);
  if(fd < 0 || fd >= NOFILE || (f = myproc()->ofile[fd]) == 0)
    return -1;
  if(pfd)
    *pfd = fd;
  *pf = f;
  return 0;
}

// Give f the lowest free descriptor of the calling process. Returns it,
// or -1 if all are taken. The descriptor takes over the caller's reference.
static int
fdalloc(struct file *f)
{
  struct proc *p = myproc();

  for(int fd = 0; fd < NOFILE; fd++){
    if(p->ofile[fd] == 0){
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -1;
}

uint64
sys_dup(void)
{
  struct file *f;
  int fd;

  if(argfd(0, 0, &f) < 0 || (fd = fdalloc(f)) < 0)
    return -1;
  filedup(f);
  return fd;
}

// read(fd, addr, n) and write(fd, addr, n): op (fileread or filewrite) on
// the open file, or -1 for a bad fd or a negative n.
static uint64
readwrite(int (*op)(struct file *f, uint64 addr, int n))
{
  struct file *f;
  uint64 addr;
  int n;

  argaddr(1, &addr);
  argint(2, &n);
  if(argfd(0, 0, &f) < 0 || n < 0)
    return -1;
  return op(f, addr, n);
}

uint64
sys_read(void)
{
  return readwrite(fileread);
}

uint64
sys_write(void)
{
  return readwrite(filewrite);
}

uint64
sys_close(void)
{
  struct file *f;
  int fd;

  if(argfd(0, &fd, &f) < 0)
    return -1;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

uint64
sys_fstat(void)
{
  struct file *f;
  uint64 st;

  argaddr(1, &st);
  if(argfd(0, 0, &f) < 0)
    return -1;
  return filestat(f, st);
}

// link(old, new): give the file old the second name new.
uint64
sys_link(void)
{
  char old[MAXPATH], new[MAXPATH], name[DIRSIZ];
  struct inode *ip, *dp;

  if(argstr(0, old, MAXPATH) < 0 || argstr(1, new, MAXPATH) < 0)
    return -1;

  begin_op();
  if((ip = namei(old)) == 0){
    end_op();
    return -1;
  }
  ilock(ip);
  if(ip->type == T_DIR || ip->nlink >= MAXNLINK){
    iunlockput(ip);
    end_op();
    return -1;
  }
  // Count the link before unlocking ip, so that an unlink of its last
  // name meanwhile cannot free it under the entry about to be made.
  ip->nlink++;
  iupdate(ip);
  // ip must not stay locked while its new parent is locked: lookups lock
  // directories from the parent down, and the parent may be ip's own.
  iunlock(ip);

  if((dp = nameiparent(new, name)) != 0){
    ilock(dp);
    // Not into a removed directory (see create).
    if(dp->dev == ip->dev && dp->nlink > 0 && dirlink(dp, name, ip->inum) == 0){
      iunlockput(dp);
      iput(ip);
      end_op();
      return 0;
    }
    iunlockput(dp);
  }

  ilock(ip);
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  end_op();
  return -1;
}

// Does directory dp hold nothing but "." and ".."? The caller holds dp->lock.
static int
isdirempty(struct inode *dp)
{
  struct dirent de;

  for(uint off = 2 * sizeof(de); off + sizeof(de) <= dp->size; off += sizeof(de)){
    if(readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      return 0;   // unreadable: do not claim it is empty
    if(de.inum != 0)
      return 0;
  }
  return 1;
}

uint64
sys_unlink(void)
{
  char path[MAXPATH], name[DIRSIZ];
  struct inode *dp, *ip;
  struct dirent de;
  uint off;

  if(argstr(0, path, MAXPATH) < 0)
    return -1;

  begin_op();
  if((dp = nameiparent(path, name)) == 0){
    end_op();
    return -1;
  }
  ilock(dp);

  // "." and ".." are part of the directory itself.
  if(namecmp(name, ".") == 0 || namecmp(name, "..") == 0 ||
     (ip = dirlookup(dp, name, &off)) == 0){
    iunlockput(dp);
    end_op();
    return -1;
  }
  // An entry's inode is locked inside its directory's, never the other
  // way round ("." and ".." are refused above).
  lockdep_nest(&dp->lock.info);
  ilock(ip);
  if(ip->nlink < 1)
    panic("unlink: nlink < 1");
  if(ip->type == T_DIR && !isdirempty(ip)){
    iunlockput(ip);
    iunlockput(dp);
    end_op();
    return -1;
  }

  // Overwriting an existing entry allocates nothing, so it cannot fail.
  memset(&de, 0, sizeof(de));
  if(writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    panic("unlink: writei");
  if(ip->type == T_DIR){
    dp->nlink--;   // ip's ".." no longer refers to dp
    iupdate(dp);
  }
  iunlockput(dp);

  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  end_op();
  return 0;
}

// Make a new inode of the given type named path, or, for T_FILE, open an
// existing file or device of that name. Returns it locked, or 0. The
// caller is inside an operation.
static struct inode *
create(char *path, short type, short major, short minor)
{
  char name[DIRSIZ];
  struct inode *dp, *ip;

  if((dp = nameiparent(path, name)) == 0)
    return 0;
  ilock(dp);
  // A removed directory takes no new entries: it is freed when its last
  // reference goes, and what was named only in it would be lost for good.
  if(dp->nlink < 1){
    iunlockput(dp);
    return 0;
  }

  if((ip = dirlookup(dp, name, 0)) != 0){
    // Unlock dp first: ip may be dp itself (".") or its parent ("..").
    iunlockput(dp);
    ilock(ip);
    if(type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE))
      return ip;
    iunlockput(ip);
    return 0;
  }

  if((ip = ialloc(dp->dev, type)) == 0){
    iunlockput(dp);
    return 0;
  }
  // The new inode is locked inside its directory's, as in unlink.
  lockdep_nest(&dp->lock.info);
  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);

  // A new directory's "." does not count as a link of its own (it would
  // keep the directory alive forever); its ".." counts for dp.
  if(type == T_DIR &&
     (dirlink(ip, ".", ip->inum) < 0 || dirlink(ip, "..", dp->inum) < 0))
    goto undo;
  if(dirlink(dp, name, ip->inum) < 0)
    goto undo;
  if(type == T_DIR){
    dp->nlink++;
    iupdate(dp);
  }
  iunlockput(dp);
  return ip;

undo:
  // Nothing names ip: with nlink 0, iput frees it and its blocks.
  ip->nlink = 0;
  iupdate(ip);
  iunlockput(ip);
  iunlockput(dp);
  return 0;
}

// Can a device file of this major number be opened?
static int
devok(short major)
{
  return major >= 0 && major < NDEV && devsw[major].read && devsw[major].write;
}

uint64
sys_open(void)
{
  char path[MAXPATH];
  int omode, fd;
  struct inode *ip;
  struct file *f;

  argint(1, &omode);
  if(argstr(0, path, MAXPATH) < 0)
    return -1;

  begin_op();
  if(omode & O_CREATE){
    ip = create(path, T_FILE, 0, 0);
  } else if((ip = namei(path)) != 0){
    ilock(ip);
  }
  if(ip == 0){
    end_op();
    return -1;
  }
  // Directories are only read; devices need a driver.
  if((ip->type == T_DIR && omode != O_RDONLY) ||
     (ip->type == T_DEVICE && !devok(ip->major))){
    iunlockput(ip);
    end_op();
    return -1;
  }
  if(ip->type == T_FILE && (omode & O_TRUNC))
    itrunc(ip);
  // Fixed for as long as the inode is referenced.
  short type = ip->type, major = ip->major;
  iunlock(ip);
  end_op();

  if((f = filealloc()) == 0){
    begin_op();
    iput(ip);
    end_op();
    return -1;
  }
  f->ip = ip;   // f now owns the reference
  f->readable = !(omode & O_WRONLY);
  f->writable = (omode & O_WRONLY) || (omode & O_RDWR);
  if(type == T_DEVICE){
    f->type = FD_DEVICE;
    f->major = major;
    // If the driver refuses, close f as an inode file, whose close does
    // not call the driver back.
    if(devsw[major].open && devsw[major].open(f) < 0){
      f->type = FD_INODE;
      fileclose(f);
      return -1;
    }
  } else {
    f->type = FD_INODE;
  }

  if((fd = fdalloc(f)) < 0){
    fileclose(f);
    return -1;
  }
  return fd;
}

// mkdir(path) and mknod(path, major, minor): a new inode of the given type
// at path, or -1.
static uint64
makeinode(short type, short major, short minor)
{
  char path[MAXPATH];
  struct inode *ip;

  if(argstr(0, path, MAXPATH) < 0)
    return -1;
  begin_op();
  ip = create(path, type, major, minor);
  if(ip)
    iunlockput(ip);
  end_op();
  return ip ? 0 : -1;
}

uint64
sys_mkdir(void)
{
  return makeinode(T_DIR, 0, 0);
}

uint64
sys_mknod(void)
{
  int major, minor;

  argint(1, &major);
  argint(2, &minor);
  return makeinode(T_DEVICE, major, minor);
}

uint64
sys_chdir(void)
{
  char path[MAXPATH];
  struct inode *ip;
  struct proc *p = myproc();

  if(argstr(0, path, MAXPATH) < 0)
    return -1;
  begin_op();
  if((ip = namei(path)) == 0){
    end_op();
    return -1;
  }
  ilock(ip);
  if(ip->type != T_DIR){
    iunlockput(ip);
    end_op();
    return -1;
  }
  iunlock(ip);
  iput(p->cwd);
  end_op();
  p->cwd = ip;
  return 0;
}

// pipe(fds): fds[0] becomes the read end, fds[1] the write end.
uint64
sys_pipe(void)
{
  uint64 fdarray;
  struct file *rf, *wf;
  int fd[2];
  struct proc *p = myproc();

  argaddr(0, &fdarray);
  if(pipealloc(&rf, &wf) < 0)
    return -1;
  fd[0] = fdalloc(rf);
  fd[1] = fd[0] < 0 ? -1 : fdalloc(wf);
  if(fd[1] < 0 || copyout(p->pagetable, fdarray, (char *)fd, sizeof(fd)) < 0){
    if(fd[0] >= 0)
      p->ofile[fd[0]] = 0;
    if(fd[1] >= 0)
      p->ofile[fd[1]] = 0;
    fileclose(rf);
    fileclose(wf);
    return -1;
  }
  return 0;
}
