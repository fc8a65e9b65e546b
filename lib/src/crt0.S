/*
 * crt0.S - process entry. The kernel starts a program at _start with a
 * 16-byte aligned stack and %rdi = the start argument (0 for now; the
 * initial capability set once init hands one over). main's return value
 * becomes the Exit code.
 */
.section .text.entry, "ax"
.globl _start
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call main
	movq %rax, %rdi
	call capos_exit
	ud2
