/* Executes hlt in ring 3: a general protection fault. */
int main(void);
int main(void)
{
	__asm__ volatile("hlt");
	return 1;
}
