/* exit.c - the Exit system call, and the IPC buffer pointer crt0 sets. */
#include <capos/syscall.h>

struct capos_ipc_buffer *capos_ipc_buffer_ptr;

void capos_exit(int64_t code)
{
	capos_syscall1(CAPOS_SYS_EXIT, (uint64_t)code);
	for (;;)
		__asm__ volatile("ud2"); /* unreachable: Exit does not return */
}
