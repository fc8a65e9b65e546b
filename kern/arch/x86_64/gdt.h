#ifndef KERN_ARCH_GDT_H
#define KERN_ARCH_GDT_H

#include <stdint.h>

/* Selector order is fixed by syscall/sysret: STAR[47:32] = KERNEL_CS gives
 * kernel CS/SS = 0x08/0x10; STAR[63:48] = 0x10 gives user SS = 0x18|3 and
 * user CS = 0x20|3. */
#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_USER_DS   0x1b
#define GDT_USER_CS   0x23
#define GDT_TSS       0x28

#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

void gdt_init(void);
/* Stacks for IST entries; called once the kernel stack allocator works. */
void gdt_set_ist(int ist, uint64_t stack_top);
/* Stack the CPU loads on an interrupt from ring 3. */
void gdt_set_kernel_stack(uint64_t stack_top);

#endif
