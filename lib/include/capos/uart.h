/*
 * capos/uart.h - the 16550 UART on COM1, as userspace drives it through an
 * IOPort cap: the console server, the runtime's direct debug output, and
 * the test programs that own the port themselves. (The kernel's own panic
 * output has its copy in kern/arch/x86_64: a different build.)
 */
#ifndef CAPOS_USER_UART_H
#define CAPOS_USER_UART_H

#define COM1      0x3f8
#define COM1_IRQ  4u
#define COM1_RBR  (COM1 + 0) /* receive buffer (DLAB 0) */
#define COM1_THR  (COM1 + 0) /* transmit holding (DLAB 0) */
#define COM1_IER  (COM1 + 1)
#define COM1_FCR  (COM1 + 2)
#define COM1_MCR  (COM1 + 4)
#define COM1_LSR  (COM1 + 5)
#define LSR_DATA  0x01 /* a received byte is waiting */
#define LSR_THRE  0x20 /* ready to take a byte to send */
#define MCR_OUT2  0x08 /* gates the UART's interrupt onto the ISA line */
#define IER_RDA   0x01 /* interrupt on received data */
#define FCR_FIFO  0x01 /* FIFO on, receive trigger at 1 byte */

#endif
