# The first user program, copied to address 0 of the first process by
# userinit(): it only execs /init. Kept in assembly so that it is tiny
# and needs no user library.

#include "kernel/syscall.h"

.globl start
start:
        # exec("/init", argv)
        la a0, init_path
        la a1, init_argv
        li a7, SYS_exec
        ecall

        # exec returns only if it failed: there is nothing else to run.
give_up:
        li a0, -1
        li a7, SYS_exit
        ecall
        j give_up

init_path:
        .string "/init"

        .p2align 3
init_argv:
        .dword init_path
        .dword 0
