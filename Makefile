# Build the kernel (kernel/kernel) and the file system image (fs.img).
#
#   make qemu         boot it in QEMU on $(CPUS) harts (Ctrl-a x quits)
#   make qemu-gdb     the same, waiting for gdb-multiarch (see .gdbinit)
#   make test         every test; ends with "N passed, N failed"
#
# Alternatives for comparison:
#   KALLOC=percpu|global   page allocator: per-CPU free lists (default) or one lock
#   BCACHE=bucket|global   buffer cache: hash buckets (default) or one lock

K = kernel
U = user

CPUS   ?= 3
KALLOC ?= percpu
BCACHE ?= bucket

# Goals that need neither the cross compiler nor QEMU.
NODEPS_GOALS = clean host-test bench-host

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
QEMU    = qemu-system-riscv64

CFLAGS  = -Wall -Werror -O -fno-omit-frame-pointer -ggdb -gdwarf-2
CFLAGS += -MD -mcmodel=medany -ffreestanding -fno-common -nostdlib
CFLAGS += -fno-builtin -fno-stack-protector -fno-pie -no-pie -mno-relax
CFLAGS += -march=rv64gc -mabi=lp64d -I.
ASFLAGS = $(CFLAGS)
LDFLAGS = -z max-page-size=4096 --no-warn-rwx-segments

ifeq ($(filter $(KALLOC),percpu global),)
  $(error KALLOC must be percpu or global)
endif
ifeq ($(filter $(BCACHE),bucket global),)
  $(error BCACHE must be bucket or global)
endif
KALLOC_OBJ_percpu = $K/kalloc.o
KALLOC_OBJ_global = $K/kalloc_global.o
BCACHE_OBJ_bucket = $K/bio.o
BCACHE_OBJ_global = $K/bio_global.o

OBJS = \
  $K/entry.o \
  $K/start.o \
  $K/main.o \
  $K/console.o \
  $K/uart.o \
  $K/printf.o \
  $K/plic.o \
  $K/string.o \
  $K/spinlock.o \
  $K/lockstat.o \
  $K/sleeplock.o \
  $(KALLOC_OBJ_$(KALLOC)) \
  $K/physmem.o \
  $K/vm.o \
  $K/proc.o \
  $K/swtch.o \
  $K/trampoline.o \
  $K/kernelvec.o \
  $K/trap.o \
  $K/syscall.o \
  $K/sysproc.o \
  $K/exec.o \
  $(BCACHE_OBJ_$(BCACHE)) \
  $K/bread.o \
  $K/log.o \
  $K/fs.o \
  $K/file.o \
  $K/pipe.o \
  $K/sysfile.o \
  $K/virtio_disk.o \
  $K/stats.o \
  $K/initcode.o

all: $K/kernel fs.img

# Relink when the chosen alternatives change.
$K/config.stamp: FORCE
	@echo "KALLOC=$(KALLOC) BCACHE=$(BCACHE)" | cmp -s - $@ || \
	  echo "KALLOC=$(KALLOC) BCACHE=$(BCACHE)" > $@

$K/kernel: $(OBJS) $K/kernel.ld $K/config.stamp
	$(LD) $(LDFLAGS) -T $K/kernel.ld -o $@ $(OBJS)
	$(OBJDUMP) -S $@ > $K/kernel.asm

$K/%.o: $K/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

$K/%.o: $K/%.S
	$(CC) $(ASFLAGS) -c -o $@ $<

# The first user program, run by the first process: it execs /init.
$K/initcode.o: $K/initcode.S $U/initcode.bin
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
	$(LD) $(LDFLAGS) -T $U/user.ld -o $@ $< $(ULIB)

# mkfs runs on the build machine.
mkfs/mkfs: mkfs/mkfs.c $K/fs.h $K/param.h $K/stat.h $K/types.h
	gcc -Wall -Werror -O2 -I. -o $@ mkfs/mkfs.c

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
  $U/_kalloctest \
  $U/_bcachetest \
  $U/_usertests \
  $U/_grind

# Keep the intermediate objects: they make rebuilds quick.
.PRECIOUS: $U/%.o $K/%.o

fs.img: mkfs/mkfs README $(UPROGS)
	mkfs/mkfs fs.img README $(UPROGS)

-include $K/*.d $U/*.d

QEMUOPTS  = -machine virt -bios none -kernel $K/kernel -m 128M -smp $(CPUS) -nographic
QEMUOPTS += -global virtio-mmio.force-legacy=false
QEMUOPTS += -drive file=fs.img,if=none,format=raw,id=x0
QEMUOPTS += -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0

qemu: $K/kernel fs.img
	$(QEMU) $(QEMUOPTS)

GDBPORT = $(shell expr `id -u` % 5000 + 25000)

.gdbinit: FORCE
	printf 'set confirm off\nset architecture riscv:rv64\ntarget remote 127.0.0.1:%s\nsymbol-file kernel/kernel\nset disassemble-next-line auto\nset riscv use-compressed-breakpoints yes\n' $(GDBPORT) > $@

qemu-gdb: $K/kernel fs.img .gdbinit
	@echo "*** Now run 'gdb-multiarch' in another window in this directory." 1>&2
	$(QEMU) $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# Every test: QEMU sessions (tools/runtests.py) and the host-side tests.
test: all
	python3 tools/runtests.py --host

# Host-side tests of kalloc.c and bio.c under ThreadSanitizer and ASan+UBSan.
host-test:
	python3 tests/host/run.py test

bench-host:
	python3 tests/host/run.py bench

# The locks lab's grading, out of 109.
grade: all
	python3 tools/grade.py

# grind for STRESS_SECS seconds (default 300) at CPUS=3.
STRESS_SECS ?= 300
stress: all
	STRESS_SECS=$(STRESS_SECS) CPUS=$(CPUS) python3 tools/stress.py

# Scalability of the allocators and caches under QEMU, written to docs/.
bench-kalloc: all
	python3 tools/bench.py kalloc

bench-bcache: all
	python3 tools/bench.py bcache

clean:
	rm -f $K/*.o $K/*.d $K/kernel $K/kernel.asm $K/config.stamp \
	  $U/*.o $U/*.d $U/_* $U/initcode.bin $U/initcode.elf \
	  mkfs/mkfs fs.img .gdbinit
	rm -rf build

.PHONY: all qemu qemu-gdb test host-test bench-host grade stress bench-kalloc bench-bcache clean FORCE
