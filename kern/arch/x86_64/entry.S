/*
 * entry.S - kernel entry from the loader.
 *
 * The loader jumps here with %rdi = boot info (direct-map address), paging
 * on with its own tables, interrupts off. The loader's stack may be mapped
 * only by its identity map, which the kernel drops, so move at once to the
 * boot stack in .bss (with an unmapped guard page below it, see paging.c).
 */
.section .text
.globl _start
_start:
	cli
	rdtsc                          /* boot benchmark: kernel entry time */
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, kernel_entry_tsc(%rip)
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call kmain
1:	cli
	hlt
	jmp 1b

.section .bss
.align 4096
.globl boot_stack_guard
boot_stack_guard:
	.skip 4096
.globl boot_stack_bottom
boot_stack_bottom:
	.skip 16384
.globl boot_stack_top
boot_stack_top:
