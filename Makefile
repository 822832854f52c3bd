# Build the kernel (kernel/kernel) and the file system image (fs.img).
#
#   make qemu         boot it in QEMU on $(CPUS) harts (Ctrl-a x quits)
#   make qemu-gdb     the same, waiting for gdb-multiarch (see .gdbinit)
#   make test         every test; ends with "N passed, N failed"
#
# Alternatives for comparison:
#   KALLOC=percpu|global   page allocator: per-CPU free lists (default) or one lock
#   BCACHE=bucket|global   buffer cache: hash buckets (default) or one lock
#   TICKS=rw|spin          tick counter: a read-write spinlock (default) or a spinlock
#
# Debug builds:
#   LOCKDEP=1|panic        the lock-order checker (kernel/lockdep.c), which
#                          reports possible deadlocks; with panic, panics on one
#
# Every combination of these and of the debug builds (KCSAN=1, LOCKDEP=1,
# CRASH=1) has its own kernel file, so switching between them rebuilds
# nothing that is already built: the default kernel is kernel/kernel, others
# are named after what they change (kernel/kernel-global-bucket,
# build/kcsan/kernel, ...). `make -s kernelpath VAR=...` builds one and
# prints its path; the test tools use it.

K = kernel
U = user

CPUS   ?= 3
KALLOC ?= percpu
BCACHE ?= bucket
TICKS  ?= rw

# Goals that need neither the cross compiler nor QEMU.
NODEPS_GOALS = clean host-test bench-host qemu-command

# Find the RISC-V cross toolchain; install it (and QEMU) when missing.
ifneq ($(filter-out $(NODEPS_GOALS),$(if $(MAKECMDGOALS),$(MAKECMDGOALS),all)),)
  ifneq ($(shell tools/deps.sh >&2 && echo ok),ok)
    $(error missing build dependencies, see the message above)
  endif
endif
TOOLPREFIX := $(shell for p in riscv64-linux-gnu- riscv64-unknown-elf-; do \
	if command -v $${p}gcc >/dev/null 2>&1; then echo $$p; break; fi; done)

CC      = $(TOOLPREFIX)gcc
AS      = $(TOOLPREFIX)gas
LD      = $(TOOLPREFIX)ld
OBJCOPY = $(TOOLPREFIX)objcopy
OBJDUMP = $(TOOLPREFIX)objdump
NM      = $(TOOLPREFIX)nm
QEMU    = qemu-system-riscv64

CFLAGS  = -Wall -Werror -O -fno-omit-frame-pointer -ggdb -gdwarf-2
CFLAGS += -MD -mcmodel=medany -ffreestanding -fno-common -nostdlib
CFLAGS += -fno-builtin -fno-stack-protector -fno-pie -no-pie -mno-relax
CFLAGS += -march=rv64gc -mabi=lp64d -I.
ASFLAGS = $(CFLAGS)
LDFLAGS = -z max-page-size=4096 --no-warn-rwx-segments

# Debug builds compile the kernel differently, so their objects live in a
# directory of their own, named after the debug options that are on.
# LOCKDEP=panic is LOCKDEP=1 that panics on a report.
LOCKDEP_PANIC = $(if $(filter panic,$(LOCKDEP)),1,0)
DEBUGDEFS  = $(if $(KCSAN),-DKCSAN) $(if $(LOCKDEP),-DLOCKDEP -DLOCKDEP_PANIC=$(LOCKDEP_PANIC))
DEBUGDEFS += $(if $(CRASH),-DCRASH)
space     := $(subst ,, )
DEBUGNAME := $(subst $(space),-,$(strip $(if $(KCSAN),kcsan) \
  $(if $(LOCKDEP),lockdep$(if $(filter panic,$(LOCKDEP)),-panic)) $(if $(CRASH),crash)))
O = $(if $(DEBUGNAME),build/$(DEBUGNAME),$K)

ifeq ($(filter $(KALLOC),percpu global),)
  $(error KALLOC must be percpu or global)
endif
ifeq ($(filter $(BCACHE),bucket global),)
  $(error BCACHE must be bucket or global)
endif
ifeq ($(filter $(TICKS),rw spin),)
  $(error TICKS must be rw or spin)
endif
ifneq ($(filter-out 1 panic,$(LOCKDEP)),)
  $(error LOCKDEP must be 1 or panic)
endif
KALLOC_OBJ_percpu = $O/kalloc.o
KALLOC_OBJ_global = $O/kalloc_global.o
BCACHE_OBJ_bucket = $O/bio.o
BCACHE_OBJ_global = $O/bio_global.o
TICKS_OBJ_rw = $O/ticks.o
TICKS_OBJ_spin = $O/ticks_spin.o

# The kernel file of this combination: the default alternatives keep the
# plain name.
VARIANT = $(if $(filter percpu-bucket,$(KALLOC)-$(BCACHE)),,-$(KALLOC)-$(BCACHE))$(if $(filter rw,$(TICKS)),,-ticks-$(TICKS))
KERNEL  = $O/kernel$(VARIANT)

OBJS = \
  $O/entry.o \
  $O/start.o \
  $O/main.o \
  $O/console.o \
  $O/uart.o \
  $O/printf.o \
  $O/plic.o \
  $O/string.o \
  $O/spinlock.o \
  $O/rwspinlock.o \
  $O/lockstat.o \
  $O/lockhook.o \
  $O/lockprof.o \
  $O/lockprofdev.o \
  $O/sleeplock.o \
  $(KALLOC_OBJ_$(KALLOC)) \
  $O/physmem.o \
  $O/vm.o \
  $O/proc.o \
  $O/swtch.o \
  $O/trampoline.o \
  $O/kernelvec.o \
  $O/trap.o \
  $(TICKS_OBJ_$(TICKS)) \
  $O/syscall.o \
  $O/sysproc.o \
  $O/exec.o \
  $(BCACHE_OBJ_$(BCACHE)) \
  $O/bread.o \
  $O/log.o \
  $O/fs.o \
  $O/file.o \
  $O/pipe.o \
  $O/sysfile.o \
  $O/virtio_disk.o \
  $O/stats.o \
  $O/rwlktest.o \
  $O/ksym.o \
  $O/initcode.o \
  $(if $(KCSAN),$O/kcsan.o $O/kcsandev.o) \
  $(if $(LOCKDEP),$O/lockdep.o $O/lockgraph.o)

# Power cuts at a chosen disk write, for the crash test.
OBJS += $(if $(CRASH),$O/crash.o)

all: $(KERNEL) fs.img mkfs/fsck

KCFLAGS = $(CFLAGS) $(DEBUGDEFS)

# The race detector (make KCSAN=1, kernel/kcsan.c, docs/kcsan.md) has the
# compiler call it before every load and store of the kernel (user programs
# are never instrumented), except in these files:
#   start.c           runs in machine mode, before the detector is set up
#   printf.c console.c uart.c
#                     reports print through them: a report begun while one
#                     of them holds its lock would wait for it forever
#   spinlock.c lockhook.c lockprof.c lockdep.c lockgraph.c
#                     the lock code and the lock tools it calls (and
#                     push_off/pop_off in proc.c), for the same reason:
#                     printf takes a spinlock
#   kcsan.c ksym.c    the detector, and the names and backtraces it prints
#   string.c          checks the whole range of each call at once instead
#                     (kcsan.h): a page fill would otherwise be 512 checks
# Its device and self-test (kcsandev.c) are compiled in.
# All its C files are compiled without compressed instructions (rv64g), so
# that no instruction straddles a page: QEMU does not chain code that does,
# and a hot loop ending there (it was memset's) made the boot take 7 s
# instead of 1.5 s, in a layout that every change to the kernel moves.
KCSAN_PLAIN = start printf console uart spinlock lockhook lockprof lockdep lockgraph kcsan \
              ksym string
KCSAN_FLAGS = -fsanitize=thread --param tsan-instrument-func-entry-exit=0 \
              --param tsan-distinguish-volatile=1
kcsanflags = $(if $(KCSAN),-march=rv64g $(if $(filter $1,$(KCSAN_PLAIN)),,$(KCSAN_FLAGS)))

# Debug builds also carry a line table (tools/klines.awk), so that their
# reports say file:line.
ifneq ($(DEBUGNAME),)
  LINEROWS = $(OBJDUMP) --dwarf=decodedline $L.nosyms | awk -f tools/klines.awk | sort -s -k1,1
else
  LINEROWS = true
endif

# The kernel carries a table of its own functions (ksym.c), so that reports
# name code as function+offset. The table is made from a first link without
# it; it lives in .rodata, after all the code, so adding it moves no
# function, which the last line checks.
# Intermediate files of the link below.
L = build/link/$(KERNEL)

$(KERNEL): $(OBJS) $K/kernel.ld tools/ksyms.awk tools/klines.awk
	@mkdir -p $(dir $L)
	{ awk -f tools/ksyms.awk; awk -v emit=1 -f tools/klines.awk; } </dev/null >$L.nosyms.S
	$(CC) $(ASFLAGS) -c -o $L.nosyms.o $L.nosyms.S
	$(LD) $(LDFLAGS) -T $K/kernel.ld -o $L.nosyms $(OBJS) $L.nosyms.o
	{ $(NM) -n $L.nosyms | awk -f tools/ksyms.awk; \
	  $(LINEROWS) | awk -v emit=1 -f tools/klines.awk; } >$L.syms.S
	$(CC) $(ASFLAGS) -c -o $L.syms.o $L.syms.S
	$(LD) $(LDFLAGS) -T $K/kernel.ld -o $@ $(OBJS) $L.syms.o
	$(NM) -n $L.nosyms | grep -i ' t ' >$L.nosyms.text
	$(NM) -n $@ | grep -i ' t ' | cmp -s - $L.nosyms.text || \
	  { echo "*** the symbol table moved the kernel's code" >&2; rm -f $@; exit 1; }
	$(OBJDUMP) -S $@ > $@.asm

$O/%.o: $K/%.c
	@mkdir -p $O
	$(CC) $(KCFLAGS) $(call kcsanflags,$*) -c -o $@ $<

$O/%.o: $K/%.S
	@mkdir -p $O
	$(CC) $(ASFLAGS) $(DEBUGDEFS) -c -o $@ $<

# The first user program, run by the first process: it execs /init.
$O/initcode.o: $K/initcode.S $U/initcode.bin
$U/initcode.bin: $U/initcode.S
	$(CC) $(CFLAGS) -march=rv64g -nostdinc -c -o $U/initcode.o $<
	$(LD) $(LDFLAGS) -N -e start -Ttext 0 -o $U/initcode.elf $U/initcode.o
	$(OBJCOPY) -S -O binary $U/initcode.elf $@

ULIB = $U/ulib.o $U/usys.o $U/printf.o $U/umalloc.o

$U/%.o: $U/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$U/%.o: $U/%.S
	$(CC) $(ASFLAGS) -c -o $@ $<

$U/_%: $U/%.o $(ULIB) $U/user.ld
	$(LD) $(LDFLAGS) -T $U/user.ld -o $@ $(filter %.o,$^)

# Programs that read the lock profiler's report share its parser.
$U/_lockstat $U/_lockstattest: $U/lockreport.o

# Programs that share code: the rule above links every object they depend on.
# kalloctest and bcachetest share how they measure tot= (lockmeasure.c); the
# crash test's workload and its checker share the workload's script.
$U/_kalloctest $U/_bcachetest: $U/lockmeasure.o $U/lockreport.o
$U/_crashwork $U/_crashcheck: $U/crashops.o

# mkfs and fsck run on the build machine.
mkfs/%: mkfs/%.c mkfs/disk.h $K/fs.h $K/param.h $K/stat.h $K/types.h
	gcc -Wall -Werror -O2 -I. -o $@ $<

UPROGS = \
  $U/_cat \
  $U/_echo \
  $U/_forktest \
  $U/_grep \
  $U/_init \
  $U/_kill \
  $U/_ln \
  $U/_ls \
  $U/_mkdir \
  $U/_rm \
  $U/_sh \
  $U/_stressfs \
  $U/_wc \
  $U/_zombie \
  $U/_abitest \
  $U/_stats \
  $U/_statstest \
  $U/_lockstat \
  $U/_lockstattest \
  $U/_kalloctest \
  $U/_bcachetest \
  $U/_usertests \
  $U/_grind \
  $U/_conslines \
  $U/_racetest \
  $U/_kcsanctl \
  $U/_lockdep \
  $U/_lockdeptest \
  $U/_rwlktest \
  $U/_tickbench \
  $U/_crashwork \
  $U/_crashcheck

# Keep the intermediate files: they make rebuilds quick, and gdb wants the
# user programs with their debugging information.
.PRECIOUS: $U/%.o $O/%.o $U/_%

# The image holds the programs without their debugging information, which
# is most of their size (user/_usertests is kept whole for gdb).
FSPROGS = $(patsubst $U/%,build/fs/%,$(UPROGS))

build/fs/_%: $U/_%
	@mkdir -p build/fs
	$(OBJCOPY) --strip-debug $< $@

fs.img: mkfs/mkfs README $(FSPROGS)
	mkfs/mkfs fs.img README $(FSPROGS)

-include $O/*.d $U/*.d

# The QEMU command line of docs/ABI.md, defined here only: the test tools
# get it from `make -s qemu-command KERNEL=... FSIMG=... CPUS=...`.
FSIMG     = fs.img
QEMUOPTS  = -machine virt -bios none -kernel $(KERNEL) -m 128M -smp $(CPUS) -nographic
QEMUOPTS += -global virtio-mmio.force-legacy=false
QEMUOPTS += -drive file=$(FSIMG),if=none,format=raw,id=x0
QEMUOPTS += -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0

qemu: $(KERNEL) fs.img
	$(QEMU) $(QEMUOPTS)

GDBPORT = $(shell expr `id -u` % 5000 + 25000)

.gdbinit: FORCE
	printf 'set confirm off\nset architecture riscv:rv64\ntarget remote 127.0.0.1:%s\nsymbol-file $(KERNEL)\nset disassemble-next-line auto\nset riscv use-compressed-breakpoints yes\n' $(GDBPORT) > $@

qemu-gdb: $(KERNEL) fs.img .gdbinit
	@echo "*** Now run 'gdb-multiarch' in another window in this directory." 1>&2
	$(QEMU) $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# Print the command line that boots $(KERNEL) on $(FSIMG); builds nothing.
qemu-command:
	@echo $(QEMU) $(QEMUOPTS)

# Build the kernel chosen by the variables and fs.img, and print the
# kernel's path (run with make -s): how the test tools get a variant.
kernelpath: $(KERNEL) fs.img
	@echo $(KERNEL)

# Every test: QEMU sessions (tools/runtests.py) and the host-side tests.
test: all
	python3 tools/runtests.py --host

# Cut the power at CRASHES disk writes (default 200) spread over the crash
# test's workload; after each, recover and check (docs/crash.md). Runs
# CRASHJOBS cut points at once (default 1).
CRASHES ?= 200
CRASHJOBS ?= 1
crashtest: all
	python3 tools/crashtest.py --crashes $(CRASHES) --jobs $(CRASHJOBS)

# Host-side tests of kalloc.c, bio.c and rwspinlock.c under ThreadSanitizer and
# ASan+UBSan.
host-test:
	python3 tests/host/run.py test

bench-host:
	python3 tests/host/run.py bench

# The locks lab's grading, out of 109; YEAR=2025 grades the 2025 edition
# (rwlktest and kalloctest's test4 instead of bcachetest, at CPUS=4), out of 99.
grade: all
	python3 tools/grade.py $(YEAR)

# grind for STRESS_SECS seconds (default 300) at CPUS=3.
STRESS_SECS ?= 300
stress: all
	STRESS_SECS=$(STRESS_SECS) CPUS=$(CPUS) python3 tools/stress.py

# Scalability of the allocators and caches under QEMU, written to docs/.
bench-kalloc: all
	python3 tools/bench.py kalloc

bench-bcache: all
	python3 tools/bench.py bcache

# Both benchmarks under lockstat, several boots per point, where the locks
# wait, and what profiling costs: docs/bench.md, with plots by gnuplot.
bench: all
	tools/deps.sh plot
	python3 tools/bench.py all

# usertests -q's time with and without the lock-order checker, and the
# race detector.
bench-lockdep: all
	python3 tools/bench.py lockdep

bench-kcsan: all
	python3 tools/bench.py kcsan

# The kernel's lock order as the lock-order checker saw it over
# usertests -q, drawn with Graphviz into docs/lock-graph.svg.
lock-graph: all
	tools/deps.sh graphviz
	python3 tools/lockdep.py graph

clean:
	rm -f $K/*.o $K/*.d $K/kernel $K/kernel-* $K/*.asm \
	  $U/*.o $U/*.d $U/_* $U/initcode.bin $U/initcode.elf \
	  mkfs/mkfs mkfs/fsck fs.img .gdbinit
	rm -rf build

.PHONY: all kernelpath qemu-command qemu qemu-gdb test crashtest host-test bench-host grade \
  stress bench-kalloc bench-bcache bench bench-lockdep bench-kcsan lock-graph clean FORCE
