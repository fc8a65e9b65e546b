/*
 * rdrand.c - RDRAND, retried as Intel documents: the instruction may
 * report no value (CF = 0) while the DRNG reseeds; Intel's guide ("Intel
 * Digital Random Number Generator (DRNG) Software Implementation Guide",
 * section 5.2.1) says to retry up to 10 times and treat a 10th failure as
 * a hardware fault. Here that fault fails closed: no bytes at all.
 */
#include <stdint.h>
#include <string.h>

#include "crypto_prims.h"
#include "rdrand.h"

#define RDRAND_RETRIES 10

int rdrand_present(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (int)((c >> 30) & 1u); /* CPUID.01H:ECX.RDRAND[bit 30] */
}

static int rdrand64(uint64_t *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		uint8_t ok;
		__asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return 0;
	}
	return -1;
}

int rdrand_fill(void *arg, void *buf, size_t len)
{
	(void)arg;
	static int present = -1;
	if (present < 0)
		present = rdrand_present();
	if (!present)
		return -1;
	uint8_t *p = buf;
	while (len) {
		uint64_t v;
		if (rdrand64(&v) != 0) {
			crypto_wipe(buf, (size_t)(p - (uint8_t *)buf));
			return -1;
		}
		size_t n = len < 8 ? len : 8;
		memcpy(p, &v, n);
		crypto_wipe(&v, sizeof(v));
		p += n;
		len -= n;
	}
	return 0;
}
