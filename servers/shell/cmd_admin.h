/*
 * cmd_admin.h - the operator's commands (cmd_admin.c, docs/shell.md
 * "Administration"): audit, kill, restart, upgrade, retarget, crash,
 * debug. Each asks the broker for the grant it needs for the current
 * session ("maintenance" for audit, crash and debug; "process-control" for
 * kill, restart, upgrade and retarget), uses it for that one command and drops it, so an
 * anonymous session is refused each one by the broker. Pure logic over the
 * generated stubs, like commands.c.
 */
#ifndef SERVERS_SHELL_CMD_ADMIN_H
#define SERVERS_SHELL_CMD_ADMIN_H

#include <capos/abi.h>

struct shell;

/* `audit`'s work once it holds a cap to an AuditLog: the last n records
 * (oldest first) and the summary line; 0, or 1 with the failure printed.
 * ReadBulk into the shell's buffer (sh->log_buffer) when it has one and
 * the server takes it; on UNSUPPORTED or DENIED, AuditLog.Read page by
 * page. The same lines either way. */
int sh_audit_show(struct shell *sh, capos_cap_t cap, unsigned n);

int cmd_audit(struct shell *sh, int argc, char **argv);
int cmd_kill(struct shell *sh, int argc, char **argv);
int cmd_restart(struct shell *sh, int argc, char **argv);
int cmd_upgrade(struct shell *sh, int argc, char **argv);
int cmd_retarget(struct shell *sh, int argc, char **argv);
int cmd_crash(struct shell *sh, int argc, char **argv);
int cmd_debug(struct shell *sh, int argc, char **argv);

#endif
