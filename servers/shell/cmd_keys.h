/*
 * cmd_keys.h - the shell's `keys` command: the crypto vault's keys
 * through a read-only KeyVault (List only; docs/servers/crypto.md).
 */
#ifndef SERVERS_SHELL_CMD_KEYS_H
#define SERVERS_SHELL_CMD_KEYS_H

#include "commands.h"

/* The KeyVault view the session holds (startup name `keys`), or
 * CAPOS_NO_CAP; main.c and the tests set it. */
extern capos_cap_t sh_keys_cap;

/* keys: handle, algorithm, kind, development flag and label of every key,
 * then "N keys". 0, or 1 (usage, no cap, a failed call). */
int sh_cmd_keys(struct shell *sh, int argc, char **argv);

/* "xchacha20-hmac-sha256", "ecdsa-p256-sha256", else "unknown";
 * "symmetric", "private", "public", else "unknown". */
const char *sh_key_algorithm_name(int alg);
const char *sh_key_kind_name(int kind);

#endif
