# System call stubs: each loads its number (kernel/syscall.h) into a7 and
# traps; the kernel leaves the result in a0, which is returned as is.
#include "kernel/syscall.h"

.macro syscall name, number
        .globl \name
        .type \name, @function
\name:
        li a7, \number
        ecall
        ret
        .size \name, . - \name
.endm

syscall fork,   SYS_fork
syscall exit,   SYS_exit
syscall wait,   SYS_wait
syscall pipe,   SYS_pipe
syscall read,   SYS_read
syscall kill,   SYS_kill
syscall exec,   SYS_exec
syscall fstat,  SYS_fstat
syscall chdir,  SYS_chdir
syscall dup,    SYS_dup
syscall getpid, SYS_getpid
syscall sbrk,   SYS_sbrk
syscall sleep,  SYS_sleep
syscall uptime, SYS_uptime
syscall open,   SYS_open
syscall write,  SYS_write
syscall mknod,  SYS_mknod
syscall unlink, SYS_unlink
syscall link,   SYS_link
syscall mkdir,  SYS_mkdir
syscall close,  SYS_close
syscall rwlktest, SYS_rwlktest
syscall cpupin, SYS_cpupin
