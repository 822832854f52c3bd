// Registers that swtch() saves when a kernel thread gives up its CPU:
// the callee-saved ones, since swtch is called like any C function.
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
};

// Per-CPU state. Each field is touched only by its own CPU, with
// interrupts off, so it needs no lock.
struct cpu {
  struct proc *proc;        // process running here, or 0
  struct context context;   // swtch() here to enter scheduler()
  int noff;                 // depth of push_off() nesting
  int intena;               // were interrupts on before the first push_off()?
};

extern struct cpu cpus[NCPU];

// The page a trap from user space saves the user registers into. It sits
// at TRAPFRAME in the user page table (and anywhere in the kernel's), and
// trampoline.S reads and writes it at the byte offsets given here.
struct trapframe {
  /*   0 */ uint64 kernel_satp;    // kernel page table
  /*   8 */ uint64 kernel_sp;      // top of the process's kernel stack
  /*  16 */ uint64 kernel_trap;    // address of usertrap()
  /*  24 */ uint64 epc;            // user pc
  /*  32 */ uint64 kernel_hartid;  // tp for the kernel
  // The user's registers x1..x31, in register-number order: x(n) at 32 + 8*n.
  /*  40 */ uint64 ra;
  /*  48 */ uint64 sp;
  /*  56 */ uint64 gp;
  /*  64 */ uint64 tp;
  /*  72 */ uint64 t0;
  /*  80 */ uint64 t1;
  /*  88 */ uint64 t2;
  /*  96 */ uint64 s0;
  /* 104 */ uint64 s1;
  /* 112 */ uint64 a0;
  /* 120 */ uint64 a1;
  /* 128 */ uint64 a2;
  /* 136 */ uint64 a3;
  /* 144 */ uint64 a4;
  /* 152 */ uint64 a5;
  /* 160 */ uint64 a6;
  /* 168 */ uint64 a7;
  /* 176 */ uint64 s2;
  /* 184 */ uint64 s3;
  /* 192 */ uint64 s4;
  /* 200 */ uint64 s5;
  /* 208 */ uint64 s6;
  /* 216 */ uint64 s7;
  /* 224 */ uint64 s8;
  /* 232 */ uint64 s9;
  /* 240 */ uint64 s10;
  /* 248 */ uint64 s11;
  /* 256 */ uint64 t3;
  /* 264 */ uint64 t4;
  /* 272 */ uint64 t5;
  /* 280 */ uint64 t6;
};

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

// A process.
struct proc {
  struct spinlock lock;

  // Protected by p->lock, with exceptions, for which state and chan are
  // only read and written with atomic accesses (getstate, setstate,
  // setchan in proc.c): the scheduler's first look reads state without the
  // lock, which the check under the lock then confirms; wakeup() reads
  // chan without it, and changes state from SLEEPING to RUNNABLE with a
  // compare-and-swap, without the lock (see wake). killed is set and read
  // with single atomic accesses, without the lock (see setkilled).
  enum procstate state;
  void *chan;                  // sleeping on chan, if non-zero
  int killed;                  // set by kill(); the process exits at its next chance
  int xstate;                  // exit status for the parent's wait()
  int pid;
  int pin;                     // the only CPU it may run on, or -1 for any (cpupin)

  // Protected by wait_lock (proc.c), which is taken before any p->lock:
  struct proc *parent;

  // Private to the process, so p->lock need not be held:
  uint64 kstack;               // virtual address of the kernel stack
  uint64 sz;                   // bytes of user memory
  pagetable_t pagetable;       // user page table
  struct trapframe *trapframe; // the page trampoline.S saves registers in
  struct context context;      // swtch() here to run the process
  struct file *ofile[NOFILE];  // open files
  struct inode *cwd;           // current directory
  char name[16];               // for debugging (^P)
};
