/* Crash propagation when the server faults (rec_crash.h). */
#include "rec_crash.h"

int main(uint64_t arg)
{
	(void)arg;
	return run(1);
}
