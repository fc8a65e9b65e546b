/* The child of every recovery test (rec_common.h): its role and
 * parameters come in the start argument; 0 (a root task) exits at once. */
#include "rec_common.h"

static struct capos_ipc_buffer *m;

/* Receives one call and never answers it; p1 = 1: on the go signal,
 * writes through a null pointer. */
__attribute__((noreturn)) static void hold(uint32_t fault)
{
	capos_status_t st = capos_recv(REC_EP);
	capos_printf("crash: server received -> status %ld label %lu badge 0x%lx\n", (long)st,
		     (unsigned long)m->label, (unsigned long)m->badge);
	capos_signal(REC_NTFN, 1);
	for (;;) {
		st = capos_wait(REC_WAIT, CAPOS_WAIT_FOREVER);
		if (st == CAPOS_OK && fault)
			*(volatile uint64_t *)0 = 0x4242;
	}
}

static int client(uint32_t idx)
{
	capos_signal(REC_NTFN, 1ull << idx);
	m->label = 100 + idx;
	m->len = 8;
	m->ncaps = 0;
	*(uint64_t *)m->body = idx;
	capos_status_t st1 = capos_call(REC_EP);
	m->label = 200 + idx;
	m->len = 8;
	m->ncaps = 0;
	capos_status_t st2 = capos_call(REC_EP);
	capos_printf("crash: client %u: pending call -> status %ld, next call -> status %ld\n", idx,
		     (long)st1, (long)st2);
	return (int)(st1 * 10 + st2);
}

static int rt_client(uint32_t calls, uint32_t signal_at)
{
	uint32_t answers = 0, v1 = 0, v2 = 0, switches = 0, errors = 0, other = 0;
	uint32_t last_version = 0, first_v2 = 0;
	for (uint32_t i = 1; i <= calls; i++) {
		if (i == signal_at)
			capos_signal(REC_NTFN, 1);
		m->label = 1;
		m->len = 8;
		m->ncaps = 0;
		*(uint64_t *)m->body = i;
		capos_status_t st = capos_call(REC_EP);
		if (st != CAPOS_OK || m->len != 8) {
			if (errors++ < 5)
				capos_printf("retarget: client call %u -> status %ld len %u\n", i,
					     (long)st, m->len);
			continue;
		}
		uint64_t a = *(uint64_t *)m->body;
		uint32_t version = (uint32_t)(a % 10);
		if (a / 10 != i || m->label != 0) {
			if (errors++ < 5)
				capos_printf("retarget: client call %u answered %lu label %lu\n", i,
					     (unsigned long)a, (unsigned long)m->label);
			continue;
		}
		answers++;
		if (version == 1)
			v1++;
		else if (version == 2)
			v2++;
		else
			other++;
		if (last_version && version != last_version) {
			switches++;
			if (!first_v2)
				first_v2 = i;
		}
		last_version = version;
	}
	capos_printf("retarget: client: %u calls, %u answers, v1 %u, v2 %u, other %u, switches %u, first v2 call %u, errors %u\n",
		     calls, answers, v1, v2, other, switches, first_v2, errors);
	return (int)errors;
}

/* Answers number * 10 + version. Recv DENIED before it has served
 * anything means the endpoint is not (yet) ours: sleep 1 ms and retry.
 * Any other failure ends it: exit code = that status << 24 | calls served. */
static int server(uint32_t version, uint32_t spin)
{
	uint32_t served = 0, denied = 0;
	capos_status_t st = capos_recv(REC_EP);
	for (;;) {
		if (st == CAPOS_DENIED && served == 0) {
			denied++;
			capos_wait(REC_WAIT, 1000000);
			st = capos_recv(REC_EP);
			continue;
		}
		if (st != CAPOS_OK)
			break;
		for (volatile uint32_t i = 0; i < spin; i++)
			;
		uint64_t n = *(uint64_t *)m->body;
		*(uint64_t *)m->body = n * 10 + version;
		m->label = 0;
		m->len = 8;
		m->ncaps = 0;
		served++;
		st = capos_reply_recv(REC_EP);
	}
	capos_printf("retarget: v%u: recv -> status %ld after serving %u calls (%u refusals before)\n",
		     version, (long)st, served, denied);
	return (int)(((uint32_t)st << 24) | served);
}

static void usage(const char *when)
{
	struct capos_process_info pi;
	struct capos_kinfo_stats k = { 0 };
	capos_process_info(REC_SELF, &pi);
	capos_kinfo_stats(REC_KINFO, &k);
	capos_printf("limits: child %s: slots %u/%u, endpoints %u/%u, pages %u/%u, free frames %lu\n",
		     when, pi.usage.slots, pi.limits.max_slots, pi.usage.endpoints,
		     pi.limits.max_endpoints, pi.usage.pages, pi.limits.max_pages,
		     (unsigned long)k.free_frames);
}

static int limit(void)
{
	uint32_t made = 0;
	usage("start");
	for (uint32_t i = 1; i <= 100; i++) {
		uint32_t slot = CAPOS_NO_CAP;
		capos_status_t st = capos_endpoint_create(REC_SELF, i, &slot);
		if (st != CAPOS_OK) {
			capos_printf("limits: child endpoint %u -> status %ld\n", i, (long)st);
			break;
		}
		capos_printf("limits: child endpoint %u -> status 0 slot %u\n", i, slot);
		made++;
	}
	usage("after endpoints");
	/* A mapping one page larger than what is left: refused up front. */
	struct capos_process_info pi;
	capos_process_info(REC_SELF, &pi);
	uint32_t left = pi.limits.max_pages - pi.usage.pages;
	capos_status_t st = capos_map_anon(REC_SELF, 0x100000000ull, left + 1,
					   CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	capos_printf("limits: child map of %u pages (%u left) -> status %ld\n", left + 1, left,
		     (long)st);
	usage("after the refused map");
	/* Exactly what is left, at an address needing new page tables: the
	 * tables' pages push it over half-way, and it must roll back. */
	struct capos_kinfo_stats k0 = { 0 }, k1 = { 0 };
	capos_kinfo_stats(REC_KINFO, &k0);
	st = capos_map_anon(REC_SELF, 0x200000000ull, left, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	capos_kinfo_stats(REC_KINFO, &k1);
	struct capos_process_info pj;
	capos_process_info(REC_SELF, &pj);
	capos_printf("limits: child map of %u pages needing new page tables -> status %ld; left behind: %ld pages of quota, %ld frames\n",
		     left, (long)st, (long)pj.usage.pages - (long)pi.usage.pages,
		     (long)k0.free_frames - (long)k1.free_frames);
	return (int)made;
}

int main(uint64_t arg)
{
	if (!arg)
		return 0;
	m = capos_ipc();
	uint32_t role = (uint32_t)(arg & 0xff);
	uint32_t p1 = (uint32_t)((arg >> 8) & 0xffffff);
	uint32_t p2 = (uint32_t)(arg >> 32);
	switch (role) {
	case REC_ROLE_HOLD:
		hold(p1);
	case REC_ROLE_CLIENT:
		return client(p1);
	case REC_ROLE_RT_CLIENT:
		return rt_client(p1, p2);
	case REC_ROLE_SERVER:
		return server(p1, p2);
	case REC_ROLE_LIMIT:
		return limit();
	default:
		return 99;
	}
}
