/* IPC test 6: the garbage-syscall process. Thousands of system calls and
 * kernel-object method calls with random numbers, slots, labels, lengths,
 * bodies and cap lists, on every type of cap it holds (CapabilityManager,
 * its own Process and Thread, a child Process and a Thread in it, an
 * endpoint served by a second thread of its own that answers with garbage
 * too, notifications, a SharedBuffer, an IOPort range with no device
 * behind it, IRQControl, KernelInfo, the boot package), pointers into the
 * kernel and to unmapped pages, W+X protections. Every answer must be a
 * known capos_status; the counts are printed and the exit code is the
 * number of unknown answers. Excluded, because they would legitimately end
 * or cripple the fuzzer rather than test the kernel: Exit, killing itself,
 * deleting or moving away its manager/process/thread/COM1/endpoint caps,
 * copying its own Process or full IOPort cap (every port), starting
 * threads in itself, unmapping or overwriting its own image, and
 * operations that block forever (Recv on endpoints, Call/Send on
 * endpoints nobody serves, Wait longer than 1 ms). */
#include <capos/runtime.h>
#include <capos/status_names.h>

#include "ipc_common.h"

/* Built twice: ipc_fuzz (30,000 calls) and, with -DSTORM, the storm
 * (issue 12, tests/qemu/storm.expect): one million calls, pointer-like
 * syscall arguments, the kernel's invariant walk every 10,000 calls, and
 * every register the ABI keeps (all but rax, rcx, r11) checked around
 * every system call. */
#ifdef STORM
#define ITERATIONS 1000000
#define WALK_EVERY 10000
#ifndef PROGRESS_EVERY
#define PROGRESS_EVERY 100000
#endif
#else
#define ITERATIONS 30000
#endif
/* Debugging: -DTRACE_FROM=N prints every call from iteration N on. */
#ifndef TRACE_FROM
#define TRACE_FROM 1000000
#endif
/* Counted per status value below this; a value enum capos_status lacks
 * (capos_status_known) counts as unknown, in the last slot. */
#define NSTATUS 64
#define FUZZ_SLOTS 48
#define ECHO_IFACE 0xf0220f022ull
#define ECHO_STACK 0x30000000ull
#define ECHO_IPC   0x30100000ull
#define SCRATCH    0x50000000ull

#ifndef FUZZ_SEED
#define FUZZ_SEED 0x9e3779b97f4a7c15ull
#endif
static uint64_t seed = FUZZ_SEED;
static uint64_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static uint64_t counts[NSTATUS + 1];
static volatile uint64_t echo_counts[NSTATUS + 1];
static uint32_t ep_slot, echo_thread_slot, io_slot;
static uint64_t by_syscall[16];

static void count(volatile uint64_t *c, capos_status_t st)
{
	if (capos_status_known(st) && st < NSTATUS)
		c[st]++;
	else
		c[NSTATUS]++;
}

/* Slots that must keep their caps. */
static int precious(uint32_t s)
{
	return s <= CAPOS_ROOT_IOPORT || s == CAPOS_ROOT_KERNEL_INFO || s == ep_slot ||
	       s == echo_thread_slot;
}

/* A free-range slot (CAPOS_ROOT_FIRST_FREE and the span after it) that is
 * not precious: what a guard puts in place of a slot it must not touch.
 * The endpoint and the echo thread live in that range too; a guard that
 * picked one of them (a DELETE of the endpoint's slot) left the echo
 * server spinning on its Recv at priority 254 and the storm starved. */
static uint32_t spare_slot(uint32_t span)
{
	uint32_t s;
	do
		s = CAPOS_ROOT_FIRST_FREE + (uint32_t)(rnd() % span);
	while (precious(s));
	return s;
}

/* Slots whose caps must never be duplicated (every port; its own process). */
static int no_copy(uint32_t s)
{
	return s == CAPOS_ROOT_PROCESS || s == CAPOS_ROOT_IOPORT;
}

static uint32_t rnd_slot(void)
{
	uint64_t r = rnd();
	if (r % 3 == 0)
		return (uint32_t)((r >> 8) % 20); /* mostly occupied */
	switch (r % 16) {
	case 0:
		return (uint32_t)(r >> 8);
	case 1:
		return CAPOS_NO_CAP;
	case 2:
		return 1000 + (uint32_t)((r >> 8) % 100);
	default:
		return (uint32_t)((r >> 8) % FUZZ_SLOTS);
	}
}

static uint32_t rnd_len(void)
{
	uint64_t r = rnd();
	switch (r % 10) {
	case 0:
		return CAPOS_MSG_BODY_MAX;
	case 1:
		return CAPOS_MSG_BODY_MAX + 1 + (uint32_t)((r >> 8) % 5000);
	case 2:
		return (uint32_t)(r >> 32);
	case 3:
		return 0;
	default:
		return (uint32_t)((r >> 8) % 80);
	}
}

static uint64_t rnd_label(void)
{
	uint64_t r = rnd();
	switch (r % 8) {
	case 0:
		return r;
	case 1:
		return 0;
	case 2:
		return 1000 + (r >> 40);
	default:
		return (r >> 8) % 14;
	}
}

static uint64_t rnd_va(void)
{
	static const uint64_t vas[] = {
		0, 0x1000, 0xfff, CAPOS_USER_BASE, CAPOS_IPC_BUFFER_VA, CAPOS_USER_STACK_TOP - 0x1000,
		CAPOS_USER_TOP - 0x1000, CAPOS_USER_TOP, 0x0000800000000000ull,
		0xffff800000000000ull, 0xffffffff80000000ull, 0xfffffffffffff000ull,
		0x0000700000000000ull, ECHO_IPC, SCRATCH, SCRATCH + 0x3000,
	};
	uint64_t r = rnd();
	if (r % 4 == 0)
		return r & ~0xfffull;
	if (r % 4 == 1)
		return r;
	return vas[(r >> 8) % (sizeof(vas) / sizeof(vas[0]))];
}

/* For the fuzzer's own address space: only the scratch area, or addresses
 * that are not user memory at all. */
static uint64_t safe_own_va(void)
{
	static const uint64_t vas[] = {
		0, 0xfff, CAPOS_USER_TOP, 0x0000800000000000ull, 0xffff800000000000ull,
		0xffffffff80000000ull, 0xfffffffffffff000ull, CAPOS_USER_TOP - 0x1000,
	};
	uint64_t r = rnd();
	if (r % 2)
		return SCRATCH + ((r >> 8) % 64) * CAPOS_PAGE_SIZE + ((r & 4) ? (r >> 20) % 4096 : 0);
	return vas[(r >> 8) % (sizeof(vas) / sizeof(vas[0]))];
}

static uint32_t rnd_pages(void)
{
	uint64_t r = rnd();
	switch (r % 6) {
	case 0:
		return 0;
	case 1:
		return (uint32_t)(r >> 32);
	case 2:
		return 0xffffffffu;
	default:
		return 1 + (uint32_t)((r >> 8) % 8);
	}
}

static void fill_body(struct capos_ipc_buffer *b, uint32_t len)
{
	uint32_t n = len < CAPOS_MSG_BODY_MAX ? len : CAPOS_MSG_BODY_MAX;
#ifdef STORM
	/* The storm's guest time goes to the kernel: fresh bytes where
	 * argument structs live, the rest keeps earlier random bytes. */
	if (n > 128)
		n = 128;
#endif
	for (uint32_t i = 0; i < n; i += 8) {
		uint64_t r = rnd();
		for (uint32_t j = 0; j < 8 && i + j < n; j++)
			b->body[i + j] = (uint8_t)(r >> (8 * j));
	}
}

/* A random cap list; never copies no_copy slots, never moves precious ones. */
static void fill_caps(struct capos_ipc_buffer *b)
{
	uint64_t r = rnd();
	b->ncaps = (r % 4 == 0) ? (uint32_t)((r >> 8) % 7) : 0;
	if (r % 64 == 1)
		b->ncaps = (uint32_t)(r >> 32);
	b->cap_move = (uint32_t)(rnd());
	for (uint32_t i = 0; i < CAPOS_MSG_MAX_CAPS; i++) {
		uint32_t s = rnd_slot();
		if (no_copy(s) || ((b->cap_move >> i) & 1 && precious(s)))
			s = CAPOS_ROOT_FIRST_FREE + (uint32_t)(rnd() % 40);
		if (precious(s))
			b->cap_move &= ~(1u << i);
		b->caps[i] = s;
	}
}

/* Type of the cap in slot s (0: none) and, for endpoints, its interface. */
static uint32_t slot_type(uint32_t s, uint64_t *iface)
{
	struct capos_capmgr_list_result r;
	*iface = 0;
	if (s >= 1024)
		return 0;
	if (capos_cap_list(CAPOS_ROOT_CAP_MANAGER, s, 1, &r) != CAPOS_OK || r.count == 0 ||
	    r.entries[0].slot != s)
		return 0;
	*iface = r.entries[0].interface_id;
	return r.entries[0].type;
}

#ifdef STORM
/* storm_sys(nr, a0, a1, regs): the syscall with rbx, rbp, rdx, r8, r9,
 * r10, r12-r15 loaded from regs[0..9]; afterwards regs[0..9] get those
 * registers back, regs[10] rdi, regs[11] rsi, regs[12] rsp before and
 * regs[13] rsp after. */
capos_status_t storm_sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t *regs);
__asm__(".text\n"
	".globl storm_sys\n"
	"storm_sys:\n"
	"	pushq %rbx\n	pushq %rbp\n	pushq %r12\n	pushq %r13\n"
	"	pushq %r14\n	pushq %r15\n	pushq %rcx\n"
	"	movq %rdi, %rax\n	movq %rsi, %rdi\n	movq %rdx, %rsi\n"
	"	movq 0(%rcx), %rbx\n	movq 8(%rcx), %rbp\n	movq 16(%rcx), %rdx\n"
	"	movq 24(%rcx), %r8\n	movq 32(%rcx), %r9\n	movq 40(%rcx), %r10\n"
	"	movq 48(%rcx), %r12\n	movq 56(%rcx), %r13\n	movq 64(%rcx), %r14\n"
	"	movq 72(%rcx), %r15\n	movq %rsp, 96(%rcx)\n"
	"	syscall\n"
	"	movq (%rsp), %rcx\n"
	"	movq %rbx, 0(%rcx)\n	movq %rbp, 8(%rcx)\n	movq %rdx, 16(%rcx)\n"
	"	movq %r8, 24(%rcx)\n	movq %r9, 32(%rcx)\n	movq %r10, 40(%rcx)\n"
	"	movq %r12, 48(%rcx)\n	movq %r13, 56(%rcx)\n	movq %r14, 64(%rcx)\n"
	"	movq %r15, 72(%rcx)\n	movq %rdi, 80(%rcx)\n	movq %rsi, 88(%rcx)\n"
	"	movq %rsp, 104(%rcx)\n"
	"	popq %rcx\n	popq %r15\n	popq %r14\n	popq %r13\n	popq %r12\n"
	"	popq %rbp\n	popq %rbx\n"
	"	ret\n");

static uint64_t reg_mismatches;

static capos_status_t raw2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	uint64_t want[10], regs[14];
	for (int i = 0; i < 10; i++)
		want[i] = regs[i] = rnd();
	capos_status_t st = storm_sys(nr, a0, a1, regs);
	int bad = regs[10] != a0 || regs[11] != a1 || regs[12] != regs[13];
	for (int i = 0; i < 10; i++)
		bad |= regs[i] != want[i];
	if (bad && reg_mismatches++ < 5)
		capos_printf("fuzz: register not kept by syscall %lu (slot %lu)\n",
			     (unsigned long)nr, (unsigned long)a0);
	return st;
}
#else
static capos_status_t raw2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	return capos_syscall2(nr, a0, a1);
}
#endif

/* The echo server: a second thread; its own IPC buffer comes in rdi. It
 * answers every message with a random label, body, length and cap list. */
__attribute__((noreturn)) static void echo(struct capos_ipc_buffer *b, uint64_t ep)
{
	uint64_t x = 0x1234567887654321ull;
	capos_status_t st = capos_recv((capos_cap_t)ep);
	for (;;) {
		count(echo_counts, st);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b->label = x;
		b->len = (x & 0x700) == 0x700 ? CAPOS_MSG_BODY_MAX + (uint32_t)(x >> 50) :
			 (uint32_t)((x >> 16) % 64);
		b->ncaps = (x % 8 == 0) ? (uint32_t)((x >> 24) % 6) : 0;
		b->cap_move = 0;
		for (uint32_t i = 0; i < CAPOS_MSG_MAX_CAPS; i++) {
			uint32_t s = CAPOS_ROOT_FIRST_FREE + (uint32_t)((x >> (8 * i)) % 40);
			if (s == ep || s == echo_thread_slot)
				s = 5; /* KernelInfo: harmless to copy */
			b->caps[i] = s;
		}
		if ((x >> 40) % 4 == 0)
			b->cap_move = (uint32_t)(x >> 44) & 0xf;
		st = capos_reply_recv((capos_cap_t)ep);
	}
}

static void setup(void)
{
	capos_status_t st = capos_endpoint_create(CAPOS_ROOT_PROCESS, ECHO_IFACE, &ep_slot);
	st |= capos_map_anon(CAPOS_ROOT_PROCESS, ECHO_STACK, 8, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	struct capos_thread_create tc = {
		.entry = (uint64_t)(uintptr_t)echo,
		.stack = ECHO_STACK + 8 * CAPOS_PAGE_SIZE - 8,
		.ipc_buffer = ECHO_IPC,
		.arg = ep_slot,
		.priority = 254,
	};
	st |= capos_thread_create(CAPOS_ROOT_PROCESS, &tc, &echo_thread_slot);
	st |= capos_thread_start(echo_thread_slot);
	uint32_t s;
	st |= capos_notification_create(CAPOS_ROOT_PROCESS, &s);
	st |= capos_notification_create(CAPOS_ROOT_PROCESS, &s);
	st |= capos_shared_buffer_create(CAPOS_ROOT_PROCESS, 2, &s);
	st |= capos_port_subrange(CAPOS_ROOT_IOPORT, 0x2f8, 8, &io_slot);
	struct capos_limits l = { 32, 4, 64, 4 };
	uint32_t child;
	st |= capos_process_create(CAPOS_ROOT_PROCESS, "fuzzchild", &l, &child);
	struct capos_thread_create ct = {
		.entry = 0x400000, .stack = 0x800000, .ipc_buffer = 0x900000, .priority = 10,
	};
	st |= capos_thread_create(child, &ct, &s);
	st |= capos_endpoint_create(CAPOS_ROOT_PROCESS, 77, &s); /* nobody serves it */
	capos_printf("fuzz: setup -> status %ld; endpoint slot %u, echo thread slot %u, io range slot %u\n",
		     (long)st, ep_slot, echo_thread_slot, io_slot);
}

/* Adjusts a random kernel-method call so it cannot hurt the fuzzer itself.
 * Returns 0 to skip the call. */
static int make_safe(uint32_t slot, uint32_t type, struct capos_ipc_buffer *b)
{
	if (slot == CAPOS_ROOT_IOPORT)
		return 0; /* every port: debug-exit, reset, PIC... */
	if (type == CAPOS_CAP_CAP_MANAGER) {
		struct capos_capmgr_slots *a = (void *)b->body;
		if (b->label == CAPOS_CAPMGR_MOVE || b->label == CAPOS_CAPMGR_DELETE) {
			if (precious(a->src))
				a->src = spare_slot(60);
		}
		if ((b->label == CAPOS_CAPMGR_COPY || b->label == CAPOS_CAPMGR_MINT) &&
		    no_copy(a->src))
			a->src = CAPOS_ROOT_KERNEL_INFO;
		return 1;
	}
	if (type == CAPOS_CAP_PROCESS && slot == CAPOS_ROOT_PROCESS) {
		switch (b->label) {
		case CAPOS_PROCESS_KILL:
		case CAPOS_PROCESS_CREATE_THREAD:
			return 0;
		case CAPOS_PROCESS_UNMAP:
		case CAPOS_PROCESS_MAP_ANON:
		case CAPOS_PROCESS_MAP_SHARED:
			((struct capos_map *)b->body)->va = safe_own_va();
			return 1;
		case CAPOS_PROCESS_WRITE_MEMORY:
			((struct capos_write_memory *)b->body)->va = safe_own_va();
			return 1;
		default:
			break;
		}
	}
	if (type == CAPOS_CAP_THREAD && b->label == CAPOS_THREAD_SET_TLS) {
		/* Our own thread's FS base holds its TCB, and with it the IPC
		 * buffer (capos_ipc): a base the kernel would accept becomes the
		 * TCB it already has; the ones it must refuse stay random. */
		struct capos_thread_tls *a = (void *)b->body;
		if (b->len >= sizeof(*a) && a->base < CAPOS_USER_TOP)
			a->base = (uint64_t)(uintptr_t)capos_tls_self();
		return 1;
	}
	if (type == 12 /* ProcessControl */) {
		/* Retargeting the fuzzer's served endpoint away would leave its
		 * Calls with no server. */
		static struct capos_ipc_buffer save;
		__builtin_memcpy(&save, b, sizeof(save));
		uint64_t iface = 0;
		uint32_t t = slot_type(*(uint32_t *)save.body, &iface);
		__builtin_memcpy(b, &save, sizeof(save));
		if (t == CAPOS_CAP_ENDPOINT && iface == ECHO_IFACE)
			return 0;
	}
	if (type == CAPOS_CAP_PROCESS && b->label == CAPOS_PROCESS_INSTALL_CAP) {
		struct capos_install_cap *a = (void *)b->body;
		if (no_copy(a->src))
			a->src = CAPOS_ROOT_KERNEL_INFO;
	}
	return 1;
}

/* Plausible arguments for the method, most of the time. */
static void shape_body(uint32_t type, struct capos_ipc_buffer *b)
{
	uint64_t r = rnd();
	if (r % 3 == 0)
		return; /* pure noise */
	switch (type) {
	case CAPOS_CAP_CAP_MANAGER: {
		struct capos_capmgr_mint *a = (void *)b->body;
		a->src = rnd_slot();
		a->dst = rnd_slot();
		a->rights = (uint32_t)rnd();
		a->set_badge = (uint32_t)(rnd() % 3);
		a->badge = rnd();
		if (b->label == CAPOS_CAPMGR_LIST) {
			a->src = (uint32_t)(rnd() % 1100);
			a->dst = (uint32_t)rnd();
		}
		if (b->len < sizeof(*a) && r % 2)
			b->len = sizeof(*a);
		break;
	}
	case CAPOS_CAP_PROCESS: {
		if (b->label == CAPOS_PROCESS_INSTALL_CAP) {
			struct capos_install_cap *a = (void *)b->body;
			a->src = rnd_slot();
			a->dst = rnd_slot();
			a->rights = (uint32_t)rnd();
			a->set_badge = (uint32_t)(rnd() % 2);
			if (b->len < sizeof(*a) && r % 2)
				b->len = sizeof(*a);
		} else if (b->label == CAPOS_PROCESS_WRITE_MEMORY) {
			struct capos_write_memory *a = (void *)b->body;
			a->va = rnd_va();
			a->len = (r >> 8) % 3 == 0 ? (uint32_t)rnd() : (uint32_t)((r >> 8) % 100);
		} else if (b->label == CAPOS_PROCESS_CREATE_THREAD) {
			struct capos_thread_create *a = (void *)b->body;
			a->entry = rnd_va();
			a->stack = rnd_va();
			a->ipc_buffer = rnd_va();
			a->priority = (uint32_t)(rnd() % 300);
			if (b->len < sizeof(*a) && r % 2)
				b->len = sizeof(*a);
		} else if (b->label == CAPOS_PROCESS_CREATE_PROCESS) {
			struct capos_process_create *a = (void *)b->body;
			a->limits.max_slots = (uint32_t)(rnd() % 70);
			a->limits.max_threads = (uint32_t)(rnd() % 6);
			a->limits.max_pages = (uint32_t)(rnd() % 100);
			a->limits.max_endpoints = (uint32_t)(rnd() % 6);
			if (b->len < sizeof(*a) && r % 2)
				b->len = sizeof(*a);
		} else if (b->label == CAPOS_PROCESS_CREATE_SHARED_BUFFER) {
			struct capos_shared_buffer_create *a = (void *)b->body;
			a->pages = (uint32_t)(rnd() % 4 ? rnd() % 5 : rnd());
		} else {
			struct capos_map *a = (void *)b->body;
			a->va = rnd_va();
			a->pages = rnd_pages();
			a->prot = (uint32_t)(rnd() % 9);
			a->cap = rnd_slot();
			a->offset_pages = (uint32_t)(rnd() % 4);
			if (b->len < sizeof(*a) && r % 2)
				b->len = sizeof(*a);
		}
		break;
	}
	case CAPOS_CAP_THREAD: {
		struct capos_thread_priority *a = (void *)b->body;
		a->priority = (uint32_t)(rnd() % 300);
		a->time_slice_us = (uint32_t)rnd() % 100000;
		if (b->label == CAPOS_THREAD_BIND_NOTIFICATION)
			a->priority = rnd_slot();
		break;
	}
	case CAPOS_CAP_IOPORT: {
		struct capos_ioport_string *a = (void *)b->body;
		a->port = (uint16_t)(0x2f0 + rnd() % 0x20);
		a->status_port = (uint16_t)(0x2f0 + rnd() % 0x20);
		a->ready_mask = (uint8_t)rnd();
		if (b->label == CAPOS_IOPORT_IN || b->label == CAPOS_IOPORT_OUT)
			((struct capos_ioport *)b->body)->width = (uint8_t)(rnd() % 6);
		if (b->label == CAPOS_IOPORT_SUBRANGE) {
			struct capos_ioport_range *g = (void *)b->body;
			g->base = (uint16_t)(0x2f0 + rnd() % 0x20);
			g->count = (uint16_t)(rnd() % 12);
		}
		if (b->label == CAPOS_IOPORT_WRITE_STRING)
			a->len = (uint32_t)(rnd() % 3 ? rnd() % 40 : rnd());
		break;
	}
	case CAPOS_CAP_IRQ_CONTROL: {
		struct capos_irq_get *a = (void *)b->body;
		a->irq = (uint32_t)(rnd() % 20);
		a->notification = rnd_slot();
		a->bits = rnd();
		if (b->len < sizeof(*a) && r % 2)
			b->len = sizeof(*a);
		break;
	}
	case CAPOS_CAP_KERNEL_INFO: {
		struct capos_kinfo_irq *a = (void *)b->body;
		a->vector = (uint32_t)(rnd() % 300);
		break;
	}
	default:
		break;
	}
}

static int trace;
/* One random call; 0 when the draw was skipped (it would hurt the fuzzer
 * itself), 1 when a system call was made. */
static int one(void)
{
	struct capos_ipc_buffer *b = capos_ipc();
	uint64_t r = rnd();
	uint64_t nr;
	switch (r % 16) {
	case 0:
		nr = (r >> 8) % 2 ? CAPOS_SYS_COUNT + (r >> 16) % 4 : r;
		break;
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
		nr = CAPOS_SYS_CALL;
		break;
	default:
		nr = (r >> 8) % CAPOS_SYS_COUNT;
		break;
	}
	if (nr == CAPOS_SYS_EXIT)
		nr = CAPOS_SYS_YIELD;
	uint64_t a0 = rnd_slot();
	if (r % 50 == 7)
		a0 = rnd(); /* slot above 32 bits */
	uint64_t a1 = rnd();
#ifdef STORM
	/* Pointer-like arguments: null, the kernel half, non-canonical, the
	 * top of the user half. */
	static const uint64_t ptrs[] = { 0, 0xffff800000000000ull, 0xffffffff80000000ull,
					 0x0000800000000000ull, 0xdead000000000000ull,
					 CAPOS_USER_TOP - 1, CAPOS_USER_TOP, 0x00007fffffffffffull };
	if (r % 4 == 3)
		a1 = ptrs[(r >> 20) % (sizeof(ptrs) / sizeof(ptrs[0]))];
	if (r % 64 == 9)
		a0 = ptrs[(r >> 24) % (sizeof(ptrs) / sizeof(ptrs[0]))];
#endif
	uint64_t iface = 0;
	uint32_t type = a0 <= 0xffffffffull ? slot_type((uint32_t)a0, &iface) : 0;
	int served = type == CAPOS_CAP_ENDPOINT && iface == ECHO_IFACE;

	/* Would block forever: change it. */
	if (type == CAPOS_CAP_ENDPOINT && (nr == CAPOS_SYS_RECV || nr == CAPOS_SYS_REPLY_RECV))
		nr = CAPOS_SYS_NBSEND;
	if (type == CAPOS_CAP_ENDPOINT && !served &&
	    (nr == CAPOS_SYS_CALL || nr == CAPOS_SYS_SEND))
		nr = CAPOS_SYS_NBSEND;
#ifdef STORM
#define MAX_WAIT_NS 20000 /* the storm's guest time is work, not sleep */
#else
#define MAX_WAIT_NS 1000000
#endif
	if ((nr == CAPOS_SYS_WAIT || nr == CAPOS_SYS_RECV_TIMEOUT ||
	     nr == CAPOS_SYS_REPLY_RECV_TIMEOUT) && a1 > MAX_WAIT_NS && a1 != CAPOS_WAIT_POLL)
		a1 = a1 % MAX_WAIT_NS; /* timed waits: at most 1 ms (storm: 20 us) */

	b->label = rnd_label();
	b->len = rnd_len();
	fill_body(b, b->len);
	fill_caps(b);
	if (nr == CAPOS_SYS_CALL && type != CAPOS_CAP_ENDPOINT && type != 0) {
		shape_body(type, b);
		if (!make_safe((uint32_t)a0, type, b))
			return 0;
	}
	if (nr == CAPOS_SYS_CALL && a0 == CAPOS_ROOT_IOPORT)
		return 0;
	if (trace)
		capos_printf("T nr %lu a0 %lu a1 0x%lx type %u label %lu len %u body0 0x%lx %lx %lx\n", (unsigned long)nr, (unsigned long)a0, (unsigned long)a1, type, (unsigned long)b->label, b->len, ((unsigned long*)b->body)[0], ((unsigned long*)b->body)[1], ((unsigned long*)b->body)[2]);
	capos_status_t st = raw2(nr, a0, a1);
	by_syscall[nr < 15 ? nr : 15]++;
	count(counts, st);
	if (!capos_status_known(st) || st >= NSTATUS)
		capos_printf("fuzz: unknown status %ld from syscall %lu slot %lu type %u label %lu\n",
			     (long)st, (unsigned long)nr, (unsigned long)a0, type,
			     (unsigned long)b->label);
	return 1;
}

/* Frees slots now and then, so the table does not fill up for good. */
static void tidy(void)
{
	for (uint32_t s = CAPOS_ROOT_FIRST_FREE; s < 1024; s++)
		if (!precious(s) && s != io_slot && rnd() % 4 == 0)
			capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, s);
}

int main(uint64_t arg)
{
	(void)arg;
	setup();
	{
		/* Directed: huge page counts must fail fast, not walk 2^32 pages. */
		uint64_t t0 = ipc_now();
		capos_status_t a = capos_map_anon(CAPOS_ROOT_PROCESS, SCRATCH, 0xffffffffu,
						  CAPOS_PROT_READ);
		capos_status_t u = capos_unmap(CAPOS_ROOT_PROCESS, SCRATCH, 0xffffffffu);
		capos_printf("fuzz: map 2^32-1 pages -> status %ld, unmap them -> status %ld, %lu ms\n",
			     (long)a, (long)u, (unsigned long)((ipc_now() - t0) / 1000000));
	}
	{
		/* Directed: entry, stack and TLS base reach iretq and
		 * wrmsr(FS_BASE) in ring 0; kernel or non-canonical values must
		 * be refused, not faulted on. */
		static const uint64_t bad[] = { 0xffff800000000000ull, 0xda76a8af11fd0000ull,
						CAPOS_USER_TOP + 0x1000 };
		for (int i = 0; i < 3; i++) {
			uint32_t s;
			struct capos_thread_create e = { .entry = bad[i], .stack = 0x800000,
				.ipc_buffer = 0x910000, .priority = 1 };
			struct capos_thread_create k = { .entry = 0x400000, .stack = bad[i],
				.ipc_buffer = 0x920000, .priority = 1 };
			struct capos_thread_create f = { .entry = 0x400000, .stack = 0x800000,
				.ipc_buffer = 0x930000, .tls_base = bad[i], .priority = 1 };
			capos_status_t se = capos_thread_create(CAPOS_ROOT_PROCESS, &e, &s);
			capos_status_t sk = capos_thread_create(CAPOS_ROOT_PROCESS, &k, &s);
			capos_status_t sf = capos_thread_create(CAPOS_ROOT_PROCESS, &f, &s);
			capos_printf("fuzz: thread at 0x%lx: as entry -> status %ld, as stack -> status %ld, as TLS base -> status %ld\n",
				     (unsigned long)bad[i], (long)se, (long)sk, (long)sf);
		}
	}
	struct capos_kinfo_stats k0, k1;
#ifdef STORM
	uint64_t walks = 0, walk_failures = 0, violations = 0, checked = 0;
#endif
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k0);
	for (int i = 0; i < ITERATIONS;) {
		if (i >= TRACE_FROM && i % 100 == 0)
			capos_printf("fuzz: iteration %d\n", i);
		trace = i >= TRACE_FROM;
		if (!one())
			continue;
		i++;
#ifdef STORM
		if (i % PROGRESS_EVERY == 0)
			capos_printf("fuzz: %d calls\n", i);
#endif
		if (i % 2000 == 0)
			tidy();
#ifdef STORM
		if (i % WALK_EVERY == 0) {
			struct capos_kinfo_check kc = { 0, 0 };
			walks++;
			if (capos_kinfo_check(CAPOS_ROOT_KERNEL_INFO, &kc) != CAPOS_OK)
				walk_failures++;
			violations += kc.violations;
			checked += kc.objects_checked;
		}
#endif
	}
	struct capos_kinfo_stats kend;
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &kend);
	/* End every process it made, so nothing outlives the test. */
	struct capos_capmgr_list_result l;
	uint32_t killed = 0;
	for (uint32_t first = 0; first < 1024;) {
		if (capos_cap_list(CAPOS_ROOT_CAP_MANAGER, first, 64, &l) != CAPOS_OK)
			break;
		for (uint32_t i = 0; i < l.count; i++)
			if (l.entries[i].type == CAPOS_CAP_PROCESS &&
			    l.entries[i].slot != CAPOS_ROOT_PROCESS &&
			    capos_process_kill(l.entries[i].slot) == CAPOS_OK)
				killed++;
		if (l.next <= first)
			break;
		first = l.next;
	}
	capos_kinfo_stats(CAPOS_ROOT_KERNEL_INFO, &k1);
	uint64_t total = 0;
	for (int i = 0; i <= NSTATUS; i++) {
		total += counts[i];
		if (i < NSTATUS && !capos_status_known(i))
			continue;
		capos_printf("fuzz: status %s: %lu (echo server: %lu)\n",
			     i < NSTATUS ? capos_status_name(i) : "unknown",
			     (unsigned long)counts[i], (unsigned long)echo_counts[i]);
	}
	capos_printf("fuzz: %lu calls; by syscall: call %lu send %lu nbsend %lu recv %lu replyrecv %lu signal %lu wait %lu yield %lu other %lu\n",
		     (unsigned long)total, (unsigned long)by_syscall[0], (unsigned long)by_syscall[1],
		     (unsigned long)by_syscall[2], (unsigned long)by_syscall[3],
		     (unsigned long)by_syscall[4], (unsigned long)by_syscall[5],
		     (unsigned long)by_syscall[6], (unsigned long)by_syscall[7],
		     (unsigned long)(by_syscall[9] + by_syscall[10] + by_syscall[11] +
				     by_syscall[12] + by_syscall[13] + by_syscall[14] +
				     by_syscall[15]));
	capos_printf("fuzz: killed %u child processes; %lu ms; free frames %lu -> %lu\n", killed,
		     (unsigned long)((k1.now_ns - k0.now_ns) / 1000000),
		     (unsigned long)k0.free_frames, (unsigned long)k1.free_frames);
#ifdef STORM
	/* Guest time: under -icount shift=0 the clock is the instruction count
	 * (1 ns each), so this is calls per second of guest time. */
	uint64_t ns = kend.now_ns - k0.now_ns;
	capos_printf("fuzz: invariant walks %lu (%lu failed), violations %lu, objects checked %lu; registers not kept %lu\n",
		     (unsigned long)walks, (unsigned long)walk_failures, (unsigned long)violations,
		     (unsigned long)checked, (unsigned long)reg_mismatches);
	capos_printf("fuzz: storm: %lu calls in %lu us of guest time: %lu calls per second\n",
		     (unsigned long)total, (unsigned long)(ns / 1000),
		     (unsigned long)(ns ? total * 1000000000ull / ns : 0));
	/* The same for the benchmark summary (bench/CMakeLists.txt, bench-storm). */
	capos_printf("bench-storm: calls per second of guest time: %lu calls/s\n",
		     (unsigned long)(ns ? total * 1000000000ull / ns : 0));
	return (int)(counts[NSTATUS] + echo_counts[NSTATUS] + reg_mismatches + violations +
		     walk_failures + (walks != ITERATIONS / WALK_EVERY));
#else
	(void)kend;
	return (int)(counts[NSTATUS] + echo_counts[NSTATUS]);
#endif
}
