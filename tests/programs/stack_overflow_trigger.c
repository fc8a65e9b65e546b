/* In the panic-test kernel only, syscall 0x7f overflows the kernel stack. */
#include <capos/syscall.h>
int main(void);
int main(void)
{
	capos_syscall0(0x7f);
	return 99; /* a kernel that survived would report this */
}
