/* Calls syscalls with numbers and arguments that mean nothing. Each answer
 * must be the documented error code (and the kernel must survive). Exit
 * code: the count of answers that were exactly as expected, out of 8. */
#include <capos/syscall.h>
int main(void);
int main(void)
{
	int good = 0;
	good += capos_syscall0(CAPOS_SYS_COUNT) == CAPOS_UNSUPPORTED;
	good += capos_syscall1(0xffffffffffffffffull, 0xffff800000000000ull) == CAPOS_UNSUPPORTED;
	good += capos_syscall1(1000000, 0) == CAPOS_UNSUPPORTED;
	good += capos_syscall1(CAPOS_SYS_CALL, 0xdeadbeef) == CAPOS_INVALID_CAP;
	good += capos_yield() == CAPOS_OK;
	good += capos_syscall1(CAPOS_SYS_RECV, 0xffffffff80000000ull) == CAPOS_INVALID_CAP;
	good += capos_syscall1(CAPOS_SYS_RECV, CAPOS_ROOT_PROCESS) == CAPOS_WRONG_TYPE;
	good += capos_syscall2(CAPOS_SYS_SIGNAL, CAPOS_ROOT_IOPORT, 1) == CAPOS_WRONG_TYPE;
	return good;
}
