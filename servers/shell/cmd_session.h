/*
 * cmd_session.h - the shell's session through the authority broker
 * (cmd_session.c, docs/shell.md "Sessions"): the anonymous session it
 * opens at start, login/logout/whoami/session, shutdown, and grants held
 * for a while (grant/grants). Pure logic over the generated stubs: no
 * system call, host-tested by tests/component/test_shell_commands.c.
 */
#ifndef SERVERS_SHELL_CMD_SESSION_H
#define SERVERS_SHELL_CMD_SESSION_H

#include <capos/abi.h>

#include "broker.pb.h"

struct shell;

/* Opens the anonymous session through sh->broker (if the manifest gave
 * one) and fills sh's principal/kind from the broker's answer. 0, or 1
 * when there is a broker but it refused (the shell then runs with no
 * session: every command that needs one says so). */
int sh_session_start(struct shell *sh);

/* `login` left a principal waiting for its passphrase: the next line is
 * read without echo and handed to sh_session_secret. */
int sh_session_wants_secret(const struct shell *sh);
/* Completes the login with the passphrase (n bytes; wiped by the caller
 * after). Returns 0 on a new session, 1 on a refusal or failure. */
int sh_session_secret(struct shell *sh, const char *pass, size_t n);

/* A grant of the current session from the broker (cmd_admin.c uses it),
 * or CAPOS_NO_CAP with the refusal printed as "<cmd>: ..." (for an
 * anonymous session: "<cmd>: denied for an anonymous session"). */
capos_cap_t sh_session_grant(struct shell *sh, const char *cmd, const char *name,
			     const char *reason, capos_GrantResult *res);

int cmd_session(struct shell *sh, int argc, char **argv);
int cmd_whoami(struct shell *sh, int argc, char **argv);
int cmd_login(struct shell *sh, int argc, char **argv);
int cmd_logout(struct shell *sh, int argc, char **argv);
int cmd_shutdown(struct shell *sh, int argc, char **argv);
int cmd_grant(struct shell *sh, int argc, char **argv);
int cmd_grants(struct shell *sh, int argc, char **argv);

#endif
