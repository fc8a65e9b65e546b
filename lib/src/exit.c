/* exit.c - the Exit system call. */
#include <capos/stop.h>
#include <capos/syscall.h>

void capos_exit(int64_t code)
{
	/* Told to stop: say so to init as we go (capos/stop.h). */
	capos_stop_acknowledge();
	capos_syscall1(CAPOS_SYS_EXIT, (uint64_t)code);
	for (;;)
		__asm__ volatile("ud2"); /* unreachable: Exit does not return */
}
