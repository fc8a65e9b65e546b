/*
 * cmd_keys.c - `keys`: pages through KeyVault.List on the session's
 * read-only view of the vault. The view answers List and nothing else, so
 * the shell can show which keys exist without being able to use, open or
 * destroy any of them; key material never leaves the crypto server.
 */
#include <string.h>

#include <capos/status_names.h>

#include "cmd_keys.h"
#include "crypto.capos.h"

capos_cap_t sh_keys_cap = CAPOS_NO_CAP;

const char *sh_key_algorithm_name(int alg)
{
	switch (alg) {
	case capos_KeyAlgorithm_KEY_ALGORITHM_XCHACHA20_HMAC_SHA256:
		return "xchacha20-hmac-sha256";
	case capos_KeyAlgorithm_KEY_ALGORITHM_ECDSA_P256_SHA256:
		return "ecdsa-p256-sha256";
	default:
		return "unknown";
	}
}

const char *sh_key_kind_name(int kind)
{
	switch (kind) {
	case capos_KeyKind_KEY_KIND_SYMMETRIC:
		return "symmetric";
	case capos_KeyKind_KEY_KIND_PRIVATE:
		return "private";
	case capos_KeyKind_KEY_KIND_PUBLIC:
		return "public";
	default:
		return "unknown";
	}
}

int sh_cmd_keys(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: keys\n");
		return 1;
	}
	if (sh_keys_cap == CAPOS_NO_CAP) {
		sh_printf(sh->out, "keys: no 'keys' capability (not granted to this session)\n");
		return 1;
	}
	static capos_KeyList list; /* ~1 KiB */
	capos_KeyListRequest rq = capos_KeyListRequest_init_zero;
	unsigned n = 0;
	/* At most 32 keys in a vault; the bound only stops a server whose
	 * `next` never ends. */
	for (unsigned round = 0; round < 64; round++) {
		capos_status_t st = keyvault_list(sh_keys_cap, &rq, &list);
		if (st != CAPOS_OK) {
			sh_printf(sh->out, "keys: %s (%s)\n",
				  n ? "list cut short" : "key list unavailable", capos_status_name(st));
			return 1;
		}
		if (round == 0)
			sh_printf(sh->out, "  HANDLE              ALGORITHM              KIND       DEV  LABEL\n");
		for (pb_size_t i = 0; i < list.keys_count; i++) {
			const capos_KeyInfo *k = &list.keys[i];
			sh_printf(sh->out, "  %016llx  %-21s  %-9s  %-3s  %s\n",
				  (unsigned long long)k->handle, sh_key_algorithm_name((int)k->algorithm),
				  sh_key_kind_name((int)k->kind), k->development ? "yes" : "no", k->label);
			n++;
		}
		if (list.next == 0 || list.next == rq.first || list.keys_count == 0)
			break;
		rq.first = list.next;
	}
	sh_printf(sh->out, "%u key%s\n", n, n == 1 ? "" : "s");
	return 0;
}
