/* Integer division by zero: a divide error. */
int main(void);
int main(void)
{
	volatile int zero = 0;
	return 100 / zero;
}
