/*
 * Component test: the shell's `keys` command (servers/shell/cmd_keys.c)
 * against the real crypto server (servers/crypto) over the loopback,
 * through a read-only view of the vault, as the default manifest grants
 * it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cmd_keys.h"
#include "commands.h"
#include "crypto_fixture.h"
#include "shell_console.h"

static struct shell sh;

static int setup(void **st)
{
	(void)st;
	capos_loopback_reset();
	struct crypto_config c = fixture_config();
	c.development = 1;
	c.policy[0] = "dev-sign";
	c.npolicy = 1;
	assert_int_equal(fixture_start(&c), 1);
	console_attach(&sh);
	sh_keys_cap = VIEW_CAP;
	return 0;
}

static int run(const char *line)
{
	return console_run(&sh, line);
}

static void test_keys(void **st)
{
	(void)st;
	assert_int_equal(run("keys"), 0);
	assert_string_equal(console, "  HANDLE              ALGORITHM              KIND       DEV  LABEL\r\n"
				     "0 keys\r\n");
	uint8_t m[64];
	fill(m, 64, 1);
	capos_cap_t k;
	capos_KeyInfo a, b;
	assert_int_equal(import_key(capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256,
				    capos_KeyKind_KEY_KIND_SYMMETRIC, m, 64, "backup", &a, &k),
			 CAPOS_OK);
	capos_BootstrapKeyRequest br = capos_BootstrapKeyRequest_init_zero;
	strcpy(br.label, "dev-sign");
	capos_BootstrapKeyResult r;
	struct capos_cap_list got = { 0 };
	assert_int_equal(keysource_bootstrap(VAULT_CAP, &br, &r, &got), CAPOS_OK);
	b = r.key;
	assert_int_equal(run("keys"), 0);
	char want[512];
	snprintf(want, sizeof(want),
		 "  HANDLE              ALGORITHM              KIND       DEV  LABEL\r\n"
		 "  %016llx  xchacha20-hmac-sha256  symmetric  no   backup\r\n"
		 "  %016llx  ecdsa-p256-sha256      private    yes  dev-sign\r\n"
		 "2 keys\r\n",
		 (unsigned long long)a.handle, (unsigned long long)b.handle);
	assert_string_equal(console, want);
}

static void test_keys_errors(void **st)
{
	(void)st;
	assert_int_equal(run("keys all"), 1);
	assert_string_equal(console, "usage: keys\r\n");
	capos_loopback_fail_next(VIEW_CAP, CAPOS_DISCONNECTED, 3);
	assert_int_equal(run("keys"), 1);
	assert_string_equal(console, "keys: key list unavailable (DISCONNECTED)\r\n");
	sh_keys_cap = CAPOS_NO_CAP;
	assert_int_equal(run("keys"), 1);
	assert_string_equal(console,
			    "keys: no 'keys' capability (not granted to this session)\r\n");
	assert_string_equal(sh_key_algorithm_name(9), "unknown");
	assert_string_equal(sh_key_kind_name(0), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_keys, setup),
		cmocka_unit_test_setup(test_keys_errors, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
