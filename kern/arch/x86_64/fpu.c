/*
 * fpu.c - user FPU/SSE/AVX state.
 *
 * The kernel is built without SSE, so user FPU state stays in the registers
 * while in the kernel; it is saved eagerly when a thread is switched out and
 * restored when it is switched in. A new thread starts from a clean state
 * captured at boot (default control words, zeroed registers), so no value
 * can leak from one process to another.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "core/kprintf.h"
#include "core/kstring.h"
#include "core/panic.h"

#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)
#define XCR0_AVX (1ull << 2)

int fpu_use_xsave;
uint64_t fpu_xcr0;
static uint32_t area_size = 512;
static uint8_t clean_state[4096] __attribute__((aligned(64)));

void fpu_init(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[3] & (1u << 25)) || !(r[3] & (1u << 24)))
		panic("fpu: CPU lacks SSE/FXSR");

	uint64_t cr0 = read_cr0();
	cr0 &= ~(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	write_cr0(cr0);
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

	fpu_use_xsave = (r[2] & (1u << 26)) != 0;
	int has_avx = (r[2] & (1u << 28)) != 0;
	if (fpu_use_xsave) {
		write_cr4(cr4 | CR4_OSXSAVE);
		fpu_xcr0 = XCR0_X87 | XCR0_SSE | (has_avx ? XCR0_AVX : 0);
		xsetbv(0, fpu_xcr0);
		cpuid(0xd, 0, r);
		area_size = r[1]; /* size for the features enabled in XCR0 */
	} else {
		write_cr4(cr4);
	}
	if (area_size > sizeof(clean_state))
		panic("fpu: save area of %u bytes exceeds a page", area_size);

	/*
	 * The clean state is written by hand, not captured: the firmware leaves
	 * its own values in the XMM registers, and fninit does not clear them.
	 * Zeroed registers, x87 control word 0x37f, MXCSR 0x1f80 (all exceptions
	 * masked); for xsave, XSTATE_BV = 0 makes xrstor load every component's
	 * init state.
	 */
	memset(clean_state, 0, sizeof(clean_state));
	clean_state[0] = 0x7f; /* FCW */
	clean_state[1] = 0x03;
	clean_state[24] = 0x80; /* MXCSR */
	clean_state[25] = 0x1f;
	fpu_restore(clean_state); /* the kernel's own state starts clean too */
	kprintf("fpu: %s, %u-byte state%s\n", fpu_use_xsave ? "xsave" : "fxsave",
		area_size, (fpu_xcr0 & XCR0_AVX) ? ", AVX" : "");
}

uint32_t fpu_area_size(void)
{
	return area_size;
}

void fpu_init_area(void *area)
{
	memcpy(area, clean_state, area_size);
}
