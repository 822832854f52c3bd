# The machine code of user/initcode.S, which userinit() copies into the
# first process.
        .section .rodata
        .globl initcode
initcode:
        .incbin "user/initcode.bin"
        .globl initcode_end
initcode_end:
