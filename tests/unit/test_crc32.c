/* test_crc32 - CRC-32 against zlib's published vectors and chaining. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/crc32.h"

static void test_known_vectors(void **state)
{
	(void)state;
	assert_int_equal(crc32_update(0, "", 0), 0x00000000u);
	assert_int_equal(crc32_update(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(crc32_update(0, "a", 1), 0xE8B7BE43u);
	assert_int_equal(crc32_update(0, "The quick brown fox jumps over the lazy dog", 43),
			 0x414FA339u);
	/* A NULL pointer with length 0 must not be touched. */
	assert_int_equal(crc32_update(0x12345678u, NULL, 0), 0x12345678u);
}

static void test_all_bytes(void **state)
{
	uint8_t buf[256];
	unsigned i;

	(void)state;
	for (i = 0; i < 256; i++)
		buf[i] = (uint8_t)i;
	/* zlib.crc32(bytes(range(256))) */
	assert_int_equal(crc32_update(0, buf, sizeof buf), 0x29058C73u);
}

static void test_chaining(void **state)
{
	uint8_t buf[1000];
	uint32_t one, c;
	size_t i, split;

	(void)state;
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	one = crc32_update(0, buf, sizeof buf);
	for (split = 0; split <= sizeof buf; split += 37) {
		c = crc32_update(0, buf, split);
		c = crc32_update(c, buf + split, sizeof buf - split);
		assert_int_equal(c, one);
	}
	c = 0;
	for (i = 0; i < sizeof buf; i++)
		c = crc32_update(c, buf + i, 1);
	assert_int_equal(c, one);
	assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xCBF43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_chaining),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
