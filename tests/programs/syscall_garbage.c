/* Calls syscalls with numbers and arguments that mean nothing. Each answer
 * must be an error code (and the kernel must survive). Exit code: the count
 * of answers that were exactly as expected, out of 6. */
#include <capos/syscall.h>
int main(void);
int main(void)
{
	int good = 0;
	good += capos_syscall0(CAPOS_SYS_COUNT) == CAPOS_UNSUPPORTED;
	good += capos_syscall1(0xffffffffffffffffull, 0xffff800000000000ull) == CAPOS_UNSUPPORTED;
	good += capos_syscall1(1000000, 0) == CAPOS_UNSUPPORTED;
	good += capos_syscall1(CAPOS_SYS_CALL, 0xdeadbeef) == CAPOS_UNSUPPORTED;
	good += capos_yield() == CAPOS_OK;
	good += capos_syscall1(CAPOS_SYS_RECV, 0xffffffff80000000ull) == CAPOS_UNSUPPORTED;
	return good;
}
