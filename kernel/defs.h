// Functions that kernel files call across file boundaries, by file.
struct buf;
struct context;
struct file;
struct inode;
struct pipe;
struct proc;
struct spinlock;
struct rwspinlock;
struct lockinfo;
struct sleeplock;
struct stat;
struct superblock;

// bio.c (or bio_global.c)
void            binit(void);
struct buf*     bget(uint dev, uint blockno);
void            brelse(struct buf *b);
void            bpin(struct buf *b);
void            bunpin(struct buf *b);

// bread.c
struct buf*     bread(uint dev, uint blockno);
void            bwrite(struct buf *b);

// console.c
void            consoleinit(void);
void            consoleintr(int c);
void            consputc(int c);

// exec.c
int             exec(char *path, char **argv);

// file.c
struct file*    filealloc(void);
void            fileclose(struct file *f);
struct file*    filedup(struct file *f);
void            fileinit(void);
int             fileread(struct file *f, uint64 dst, int n);
int             filestat(struct file *f, uint64 dst);
int             filewrite(struct file *f, uint64 src, int n);

// fs.c
void            fsinit(int dev);
int             dirlink(struct inode *dp, char *name, uint inum);
struct inode*   dirlookup(struct inode *dp, char *name, uint *poff);
struct inode*   ialloc(uint dev, short type);
struct inode*   idup(struct inode *ip);
void            iinit(void);
void            ilock(struct inode *ip);
void            iput(struct inode *ip);
void            iunlock(struct inode *ip);
void            iunlockput(struct inode *ip);
void            iupdate(struct inode *ip);
void            itrunc(struct inode *ip);
int             namecmp(const char *s, const char *t);
struct inode*   namei(char *path);
struct inode*   nameiparent(char *path, char *name);
int             readi(struct inode *ip, int user, uint64 dst, uint off, uint n);
void            stati(struct inode *ip, struct stat *st);
int             writei(struct inode *ip, int user, uint64 src, uint off, uint n);

// kalloc.c (or kalloc_global.c)
void*           kalloc(void);
void            kfree(void *pa);
uint64          kfreepages(void);
void            kmeminit(void);

// physmem.c
void            kinit(void);
void            kinitrange(void *pa_start, void *pa_end);
void            kfreecheck(void *pa);
void*           kallocjunk(void *pa);

// ksym.c
const char*     ksymname(uint64 pc, uint64 *off);
void            ksymformat(uint64 ra, char *buf, int size);
const char*     ksymline(uint64 pc, int *line);
void            printksym(char *prefix, uint64 ra);
int             backtrace(uint64 fp, uint64 *pcs, int max);
void            printbacktrace(void);

// log.c
void            initlog(int dev, struct superblock *sb);
void            log_write(struct buf *b);
void            begin_op(void);
void            end_op(void);
void            begin_read(void);
void            end_read(void);

// main.c
extern int      ncpu;

// pipe.c
int             pipealloc(struct file **rf, struct file **wf);
void            pipeclose(struct pipe *pi, int writable);
int             piperead(struct pipe *pi, uint64 dst, int n);
int             pipewrite(struct pipe *pi, uint64 src, int n);

// printf.c
int             printf(char *fmt, ...) __attribute__((format(printf, 1, 2)));
int             snprintf(char *buf, int size, char *fmt, ...) __attribute__((format(printf, 3, 4)));
void            panic(char *s) __attribute__((noreturn));
void            printfinit(void);
void            printlock_acquire(void);
void            printlock_release(void);
extern volatile int panicked;   // set once a panic message is out; output stops

// proc.c
int             cpuid(void);
int             cpupin(int cpu);
void            push_off(void);
void            pop_off(void);
void            cpu_relax(void);
void            exit(int status) __attribute__((noreturn));
int             fork(void);
int             growproc(int n);
void            proc_mapstacks(pagetable_t kpt);
pagetable_t     proc_pagetable(struct proc *p);
void            proc_freepagetable(pagetable_t pagetable, uint64 sz);
int             kill(int pid);
int             killed(struct proc *p);
void            setkilled(struct proc *p);
struct cpu*     mycpu(void);
struct proc*    myproc(void);
void            procinit(void);
void            scheduler(void) __attribute__((noreturn));
void            sched(void);
void            sleep(void *chan, struct spinlock *lk);
void            userinit(void);
int             wait(uint64 addr);
void            wakeup(void *chan);
void            sleep_while_set(void *chan, int *flag);
void            clear_and_wakeup(void *chan, int *flag);
void            yield(void);
int             either_copyout(int user_dst, uint64 dst, void *src, uint64 len);
int             either_copyin(void *dst, int user_src, uint64 src, uint64 len);
void            procdump(void);

// swtch.S
void            swtch(struct context *old, struct context *new);

// spinlock.c
void            initlock(struct spinlock *lk, char *name);
void            acquire(struct spinlock *lk);
int             holding(struct spinlock *lk);
void            release(struct spinlock *lk);
int             tryacquire(struct spinlock *lk);

// lockhook.c
struct lockattempt;
struct heldlock;
void            lockhook_wait(struct lockattempt *a);
void            lockhook_acquired(struct lockattempt *a);
void            lockhook_release(struct lockinfo *lk, int shared);
void            lockhook_sleep(struct lockinfo *lk);
void            lockhook_userret(void);
void            lockhook_intr(int in);
struct heldlock* lockhook_held(int cpu, int *n);
void            lockpanic(char *what, struct lockinfo *lk) __attribute__((noreturn));

// lockprof.c
struct lockprofsum;
void            lockprof_acquired(struct lockattempt *a, uint64 now);
void            lockprof_release(struct lockinfo *lk, uint64 since);
void            lockprof_enable(int on);
int             lockprof_enabled(void);
void            lockprof_reset(void);
uint64          lockprof_resettime(void);
void            lockprof_sum(int class, struct lockprofsum *s);

// lockprofdev.c
void            lockprofinit(void);

// lockstat.c
void            lockregister(struct lockinfo *lk, char *name, int kind);
char*           lockclassname(int c, int *kind);
void            freelock(struct spinlock *lk);
void            lockname(char *name, int size, const char *prefix, int n);
int             lockstats(char *buf, int size);

// rwlktest.c
void            rwlktestinit(void);

// rwspinlock.c
void            initrwlock(struct rwspinlock *lk, char *name);
void            read_acquire(struct rwspinlock *lk);
void            read_release(struct rwspinlock *lk);
void            write_acquire(struct rwspinlock *lk);
void            write_release(struct rwspinlock *lk);
void            rwarrivals(struct rwspinlock *lk, uint *readers, uint *writers);

// sleeplock.c
void            acquiresleep(struct sleeplock *lk);
void            releasesleep(struct sleeplock *lk);
int             holdingsleep(struct sleeplock *lk);
void            initsleeplock(struct sleeplock *lk, char *name);

// stats.c
void            statsinit(void);

// string.c
int             memcmp(const void *a, const void *b, uint n);
void*           memcpy(void *dst, const void *src, uint n);
void*           memmove(void *dst, const void *src, uint n);
void*           memset(void *dst, int c, uint n);
char*           safestrcpy(char *dst, const char *src, int n);
int             strlen(const char *s);
int             strncmp(const char *a, const char *b, uint n);
char*           strncpy(char *dst, const char *src, int n);

// syscall.c
void            argint(int n, int *ip);
int             argstr(int n, char *buf, int max);
void            argaddr(int n, uint64 *ip);
int             fetchstr(uint64 addr, char *buf, int max);
int             fetchaddr(uint64 addr, uint64 *ip);
void            syscall(void);

// ticks.c (or ticks_spin.c)
void            ticksinit(void);
void            tick(void);
uint            uptime(void);
int             ticksleep(uint n);

// trap.c
#define TIMEBASE_HZ 10000000    // the time CSR's rate on QEMU's virt machine
uint64          nsecs(void);
void            trapinithart(void);
void            usertrapret(void);

// uart.c
void            uartinit(void);
void            uartintr(void);
void            uartwrite(const char *src, int n);
void            uartputc_sync(int c);
int             uartgetc(void);

// vm.c
void            kvminit(void);
void            kvminithart(void);
void            kvmmap(pagetable_t kpt, uint64 va, uint64 pa, uint64 sz, int perm);
int             mappages(pagetable_t pt, uint64 va, uint64 size, uint64 pa, int perm);
pagetable_t     uvmcreate(void);
int             uvmfirst(pagetable_t pt, uchar *src, uint sz);
uint64          uvmalloc(pagetable_t pt, uint64 oldsz, uint64 newsz, int xperm);
uint64          uvmdealloc(pagetable_t pt, uint64 oldsz, uint64 newsz);
int             uvmcopy(pagetable_t old, pagetable_t new, uint64 sz);
void            uvmfree(pagetable_t pt, uint64 sz);
void            uvmunmap(pagetable_t pt, uint64 va, uint64 npages, int do_free);
void            uvmclear(pagetable_t pt, uint64 va);
pte_t*          walk(pagetable_t pt, uint64 va, int alloc);
uint64          walkaddr(pagetable_t pt, uint64 va);
int             copyout(pagetable_t pt, uint64 dstva, char *src, uint64 len);
int             copyin(pagetable_t pt, char *dst, uint64 srcva, uint64 len);
int             copyinstr(pagetable_t pt, char *dst, uint64 srcva, uint64 max);

// plic.c
void            plicinit(void);
void            plicinithart(void);
int             plic_claim(void);
void            plic_complete(int irq);

// virtio_disk.c
void            virtio_disk_init(void);
void            virtio_disk_rw(struct buf *b, int write);
void            virtio_disk_intr(void);

// number of elements in a fixed-size array
#define NELEM(x) (sizeof(x)/sizeof((x)[0]))
