/*
 * tls.c - thread control blocks (capos/abi.h struct capos_tcb) and the
 * canary source. The first thread's TCB is made by its creator (kernel
 * boot runner or capos_spawn) at CAPOS_TLS_VA; threads a program creates
 * get theirs from capos_tls_init.
 */
#include <capos/runtime.h>
#include <capos/syscall.h>

struct capos_tcb *capos_tls_self(void)
{
	uint64_t self;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(self));
	return (struct capos_tcb *)(uintptr_t)self;
}

void capos_tls_init(struct capos_tcb *tcb)
{
	uint64_t guard;
	__asm__ volatile("movq %%fs:0x28, %0" : "=r"(guard));
	uint64_t *w = (uint64_t *)tcb;
	for (unsigned i = 0; i < sizeof(*tcb) / 8; i++)
		w[i] = 0;
	tcb->self = tcb->self2 = (uint64_t)(uintptr_t)tcb;
	tcb->stack_guard = guard;
	/* A thread that moves to this TCB keeps its IPC buffer; a new thread's
	 * entry stores its own over it. */
	tcb->runtime[CAPOS_TCB_IPC] = (uint64_t)(uintptr_t)capos_ipc();
}

static int have_rdrand(void)
{
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return (c >> 30) & 1;
}

uint64_t capos_random_u64(void)
{
	static uint64_t stir = 0x243f6a8885a308d3ull;
	if (have_rdrand()) {
		for (int i = 0; i < 10; i++) {
			uint64_t v;
			uint8_t ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
			if (ok)
				return v;
		}
	}
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	uint64_t z = (stir += 0x9e3779b97f4a7c15ull) ^ (((uint64_t)hi << 32) | lo);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t capos_make_canary(void)
{
	uint64_t v = capos_random_u64() & ~0xffull;
	return v ? v : 0x5a17c0de00ull;
}
