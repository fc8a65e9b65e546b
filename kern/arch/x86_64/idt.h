#ifndef KERN_ARCH_IDT_H
#define KERN_ARCH_IDT_H

#include <stdint.h>

#define VEC_TIMER    0x20
#define VEC_SPURIOUS 0xff

void idt_init(void);

#endif
