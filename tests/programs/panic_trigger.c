/* In the panic-test kernel only, syscall 0x7e makes the kernel fault. */
#include <capos/syscall.h>
int main(void);
int main(void)
{
	capos_syscall0(0x7e);
	return 99; /* a kernel that survived would report this */
}
