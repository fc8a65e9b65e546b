/*
 * cmd_session.c - the shell's session through the authority broker
 * (cmd_session.h; docs/shell.md "Sessions", docs/servers/broker.md).
 *
 * The shell holds no authority of its own for people: at start it opens
 * an anonymous session, `login` replaces it with the broker's answer to a
 * principal's passphrase, `logout` closes it (every grant obtained through
 * it goes stale) and opens a new anonymous one. What `session` and
 * `whoami` print is what the broker said, never a manifest string. A
 * refusal is printed as the broker's answer, plainly.
 */
#include <stdio.h>
#include <string.h>

#include <capos/status_names.h>
#include <capos/transport.h>

#include "avatar.h"
#include "broker.capos.h"
#include "cmd_session.h"
#include "commands.h"
#include "log.capos.h"
#include "process.capos.h"

static const char *kind_name(capos_SessionKind k)
{
	switch (k) {
	case capos_SessionKind_SESSION_KIND_AUTHENTICATED:
		return "authenticated";
	case capos_SessionKind_SESSION_KIND_MAINTENANCE:
		return "maintenance";
	default:
		return "anonymous";
	}
}

static int anonymous(const struct shell *sh)
{
	return strcmp(sh->session_kind, "anonymous") == 0;
}

/* Takes the broker's word for who this session is. */
static void adopt(struct shell *sh, capos_cap_t cap, const capos_SessionInfo *info)
{
	sh->session = cap;
	sh->session_id = info->session_id;
	snprintf(sh->principal_buf, sizeof(sh->principal_buf), "%s",
		 info->principal[0] ? info->principal : "anonymous");
	snprintf(sh->avatar, sizeof(sh->avatar), "%s", info->avatar);
	sh->principal = sh->principal_buf;
	sh->session_kind = kind_name(info->kind);
}

/* Drops a cap this shell no longer needs (its slot comes back when the
 * shell has a table manager with WRITE, `capmgr`). */
static void drop(capos_cap_t cap)
{
	struct capos_cap_list l = { .count = 1, .cap = { cap } };
	if (cap != CAPOS_NO_CAP)
		capos_transport_drop(&l);
}

static int open_anonymous(struct shell *sh)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;
	capos_status_t st = authoritybroker_open_anonymous_session(sh->broker, &e, &info, &got);
	if (st != CAPOS_OK) {
		sh->session = CAPOS_NO_CAP;
		sh->session_id = 0;
		sh->principal = "anonymous";
		sh->session_kind = "anonymous";
		sh_printf(sh->out, "session: the broker opened no session (%s)\n",
			  capos_status_name(st));
		return 1;
	}
	adopt(sh, got.cap[0], &info);
	return 0;
}

int sh_session_start(struct shell *sh)
{
	if (sh->broker == CAPOS_NO_CAP)
		return 0; /* no broker: anonymous, as the manifest made it */
	return open_anonymous(sh);
}

static int no_broker(struct shell *sh, const char *cmd)
{
	sh_printf(sh->out, "%s: no 'broker' capability (not granted to this session)\n", cmd);
	return 1;
}

int cmd_session(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: session\n");
		return 1;
	}
	/* The broker's current word, if it has one (a stale session says so). */
	if (sh->session != CAPOS_NO_CAP) {
		capos_Empty e = capos_Empty_init_zero;
		capos_SessionInfo info;
		capos_status_t st = session_info(sh->session, &e, &info);
		if (st != CAPOS_OK) {
			sh_printf(sh->out, "session: the broker does not know it (%s)\n",
				  capos_status_name(st));
			return 1;
		}
		adopt(sh, sh->session, &info);
	}
	/* The policy's avatar when it names one of the catalog, else the one
	 * the principal's name picks. */
	const struct avatar *a = NULL;
	for (size_t i = 0; sh->avatar[0] && i < avatar_count(); i++)
		if (strcmp(avatar_at(i)->name, sh->avatar) == 0)
			a = avatar_at(i);
	if (!a)
		a = avatar_for(sh->principal);
	sh_printf(sh->out, "principal: %s\nsession: %s\navatar: %s\n", sh->principal,
		  sh->session_kind, a->name);
	for (unsigned i = 0; i < a->nlines && i < AVATAR_MAX_LINES; i++)
		sh_printf(sh->out, "  %s\n", a->lines[i]);
	if (sh->session != CAPOS_NO_CAP)
		sh_printf(sh->out, "session id: %lu\n", (unsigned long)sh->session_id);
	return 0;
}

int cmd_whoami(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: whoami\n");
		return 1;
	}
	sh_printf(sh->out, "%s\n", sh->principal);
	return 0;
}

int cmd_login(struct shell *sh, int argc, char **argv)
{
	if (argc != 2 || strlen(argv[1]) >= sizeof(sh->login_pending)) {
		sh_printf(sh->out, "usage: login PRINCIPAL\n");
		return 1;
	}
	if (sh->broker == CAPOS_NO_CAP)
		return no_broker(sh, "login");
	snprintf(sh->login_pending, sizeof(sh->login_pending), "%s", argv[1]);
	sh_printf(sh->out, "passphrase for %s: ", argv[1]);
	return 0;
}

int sh_session_wants_secret(const struct shell *sh)
{
	return sh->login_pending[0] != '\0';
}

int sh_session_secret(struct shell *sh, const char *pass, size_t n)
{
	capos_OpenSessionRequest rq = capos_OpenSessionRequest_init_zero;
	capos_SessionInfo info;
	struct capos_cap_list got;
	snprintf(rq.principal, sizeof(rq.principal), "%s", sh->login_pending);
	sh->login_pending[0] = '\0';
	if (n == 0 || n > sizeof(rq.credential.bytes)) {
		sh_printf(sh->out, "login: a passphrase is 1-%u bytes\n",
			  (unsigned)sizeof(rq.credential.bytes));
		sh_flush(sh->out);
		return 1;
	}
	rq.credential_kind = capos_CredentialKind_CREDENTIAL_KIND_PASSPHRASE;
	memcpy(rq.credential.bytes, pass, n);
	rq.credential.size = (pb_size_t)n;
	capos_status_t st = authoritybroker_open_session(sh->broker, &rq, &info, &got);
	memset(&rq, 0, sizeof(rq));
	int rc = 1;
	if (st == CAPOS_OK) {
		/* The anonymous session (or the last login) ends here. */
		if (sh->session != CAPOS_NO_CAP) {
			capos_Empty e = capos_Empty_init_zero;
			session_close(sh->session, &e, &e);
			drop(sh->session);
		}
		adopt(sh, got.cap[0], &info);
		sh_printf(sh->out, "login: %s (%s session %lu)\n", sh->principal, sh->session_kind,
			  (unsigned long)sh->session_id);
		rc = 0;
	} else if (st == CAPOS_DENIED) {
		sh_printf(sh->out, "login: denied\n");
	} else {
		sh_printf(sh->out, "login: the broker did not answer (%s)\n", capos_status_name(st));
	}
	sh_flush(sh->out);
	return rc;
}

int cmd_logout(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: logout\n");
		return 1;
	}
	if (sh->broker == CAPOS_NO_CAP)
		return no_broker(sh, "logout");
	if (anonymous(sh) || sh->session == CAPOS_NO_CAP) {
		sh_printf(sh->out, "logout: not logged in\n");
		return 1;
	}
	capos_Empty e = capos_Empty_init_zero;
	capos_status_t st = session_close(sh->session, &e, &e);
	drop(sh->session);
	sh->session = CAPOS_NO_CAP;
	sh_printf(sh->out, "logout: %s session %lu closed (%s)\n", sh->principal,
		  (unsigned long)sh->session_id, capos_status_name(st));
	return open_anonymous(sh);
}

/* A grant of the current session, or CAPOS_NO_CAP with the refusal
 * printed as "<cmd>: ...". */
static capos_cap_t request(struct shell *sh, const char *cmd, const char *name,
			   const char *reason, capos_GrantResult *res);

capos_cap_t sh_session_grant(struct shell *sh, const char *cmd, const char *name,
			     const char *reason, capos_GrantResult *res)
{
	return request(sh, cmd, name, reason, res);
}

static capos_cap_t request(struct shell *sh, const char *cmd, const char *name,
			   const char *reason, capos_GrantResult *res)
{
	if (sh->session == CAPOS_NO_CAP) {
		if (sh->broker == CAPOS_NO_CAP)
			no_broker(sh, cmd);
		else
			sh_printf(sh->out, "%s: this shell has no session\n", cmd);
		return CAPOS_NO_CAP;
	}
	capos_GrantRequest rq = capos_GrantRequest_init_zero;
	struct capos_cap_list got;
	snprintf(rq.grant, sizeof(rq.grant), "%s", name);
	snprintf(rq.reason, sizeof(rq.reason), "%s", reason);
	capos_status_t st = session_request_grant(sh->session, &rq, res, &got);
	if (st == CAPOS_OK)
		return got.cap[0];
	if (st == CAPOS_DENIED && anonymous(sh))
		sh_printf(sh->out, "%s: denied for an anonymous session\n", cmd);
	else if (st == CAPOS_DENIED)
		sh_printf(sh->out, "%s: denied by the policy for %s\n", cmd, sh->principal);
	else if (st == CAPOS_NOT_FOUND)
		sh_printf(sh->out, "%s: the policy has no grant '%s'\n", cmd, name);
	else
		sh_printf(sh->out, "%s: %s (%s)\n", cmd, st == CAPOS_INVALID_CAP ?
			  "the session is no longer valid" : "the broker refused",
			  capos_status_name(st));
	return CAPOS_NO_CAP;
}

/* The words from argv[first] on, joined by single spaces. */
static void join(char *out, size_t n, int argc, char **argv, int first)
{
	out[0] = '\0';
	size_t l = 0;
	for (int i = first; i < argc; i++)
		l += (size_t)snprintf(out + (l < n ? l : n), l < n ? n - l : 0, "%s%s",
				      i > first ? " " : "", argv[i]);
}

/* How long `shutdown` waits for the stop notice once the request was
 * accepted: every component started after the shell is stopped first,
 * each within its bound (100 ms from the shutdown server). */
#define SH_SHUTDOWN_WAIT_MS 10000u

int cmd_shutdown(struct shell *sh, int argc, char **argv)
{
	static const char *const modes[] = { "poweroff", "reboot", "halt" };
	int mode = -1, first = 1;
	for (int m = 0; argc > 1 && m < 3; m++)
		if (strcmp(argv[1], modes[m]) == 0)
			mode = m;
	if (mode >= 0)
		first = 2;
	else
		mode = 0;
	if (argc <= first) {
		sh_printf(sh->out, "usage: shutdown [poweroff|reboot|halt] REASON\n");
		return 1;
	}
	char reason[128];
	join(reason, sizeof(reason), argc, argv, first);
	capos_GrantResult res;
	capos_cap_t cap = request(sh, "shutdown", "shutdown", reason, &res);
	if (cap == CAPOS_NO_CAP)
		return 1;
	capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
	rq.mode = (capos_ShutdownMode)(mode + 1);
	snprintf(rq.reason, sizeof(rq.reason), "%s", reason);
	sh_printf(sh->out, "shutdown: %s (%s), grant %lu\n", modes[mode], reason,
		  (unsigned long)res.grant_id);
	sh_flush(sh->out); /* said before the system goes down */
	capos_Empty e;
	capos_status_t st = shutdowncontrol_shutdown(cap, &rq, &e);
	drop(cap);
	if (st == CAPOS_DENIED)
		sh_printf(sh->out, "shutdown: denied for %s\n", sh->principal);
	else if (st == CAPOS_WOULD_BLOCK)
		sh_printf(sh->out, "shutdown: another shutdown is under way\n");
	else if (st != CAPOS_OK)
		sh_printf(sh->out, "shutdown: failed (%s)\n", capos_status_name(st));
	if (st != CAPOS_OK)
		return 1;
	/* ShutdownControl answers before the stop begins: the shell waits
	 * for its own stop notice and ends (acknowledging it), or, told
	 * nothing in time (no stop notice here, or the stop failed), goes
	 * back to the prompt. */
	sh_printf(sh->out, "shutdown: %s requested\n", modes[mode]);
	sh_flush(sh->out);
	st = sh->stop_wait ? sh->stop_wait(SH_SHUTDOWN_WAIT_MS * 1000000ull) : CAPOS_NOT_FOUND;
	if (st == CAPOS_OK)
		sh->exit_requested = 1;
	else if (st == CAPOS_TIMEOUT)
		sh_printf(sh->out, "shutdown: still running after %u ms\n", SH_SHUTDOWN_WAIT_MS);
	return st == CAPOS_TIMEOUT ? 1 : 0;
}

int cmd_grant(struct shell *sh, int argc, char **argv)
{
	if (argc < 2) {
		sh_printf(sh->out, "usage: grant NAME [REASON]\n");
		return 1;
	}
	if (sh->ngrants == SH_MAX_GRANTS) {
		sh_printf(sh->out, "grant: holding %u grants already\n", SH_MAX_GRANTS);
		return 1;
	}
	char reason[128];
	join(reason, sizeof(reason), argc, argv, 2);
	capos_GrantResult res;
	capos_cap_t cap = request(sh, "grant", argv[1], reason, &res);
	if (cap == CAPOS_NO_CAP)
		return 1;
	sh->grants[sh->ngrants].cap = cap;
	snprintf(sh->grants[sh->ngrants].name, sizeof(sh->grants[0].name), "%s", res.grant);
	sh->grants[sh->ngrants].interface_id = res.interface_id;
	sh->ngrants++;
	sh_printf(sh->out, "grant: %s (grant %lu, interface %#06x)\n", res.grant,
		  (unsigned long)res.grant_id, (unsigned)res.interface_id);
	return 0;
}

/* A call that changes nothing, through a held grant: its status says
 * whether the grant still answers. */
static capos_status_t probe(capos_cap_t cap, uint32_t iface)
{
	capos_Empty e;
	switch (iface) {
	case 0x0201: { /* LogReader: one record at most */
		static capos_LogReadResult r;
		capos_LogFilter f = capos_LogFilter_init_zero;
		f.max = 1;
		return logreader_read(cap, &f, &r);
	}
	case 0x0901: { /* ProcessControl: one entry of the list */
		static capos_ProcessList l;
		capos_ProcessListRequest rq = capos_ProcessListRequest_init_zero;
		rq.max = 1;
		return processcontrol_list(cap, &rq, &l);
	}
	case 0x0702: { /* ShutdownControl: no mode is refused before anything */
		capos_ShutdownRequest rq = capos_ShutdownRequest_init_zero;
		capos_status_t st = shutdowncontrol_shutdown(cap, &rq, &e);
		return st == CAPOS_INVALID_ARGUMENT ? CAPOS_OK : st;
	}
	default:
		return CAPOS_UNSUPPORTED;
	}
}

int cmd_grants(struct shell *sh, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		sh_printf(sh->out, "usage: grants\n");
		return 1;
	}
	if (sh->ngrants == 0)
		sh_printf(sh->out, "no grants held\n");
	for (unsigned i = 0; i < sh->ngrants; i++) {
		capos_status_t st = probe(sh->grants[i].cap, sh->grants[i].interface_id);
		sh_printf(sh->out, "%s: %s\n", sh->grants[i].name,
			  st == CAPOS_OK ? "answers" : capos_status_name(st));
	}
	return 0;
}
