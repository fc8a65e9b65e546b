/*
 * capos/abi.h - the user-visible kernel ABI: the one header a userspace
 * program needs to talk to the kernel. docs/abi.md explains every call.
 *
 * System calls use the syscall instruction:
 *   rax = syscall number, arguments in rdi, rsi, rdx, r10, r8, r9;
 *   on return rax = capos_status_t; rcx and r11 are clobbered (the
 *   instruction uses them), every other register is preserved.
 *
 * A message lives in the calling thread's IPC buffer (struct
 * capos_ipc_buffer, one page, mapped by the kernel when the thread is
 * created). Every kernel object method is a Call on that object's cap with
 * the method in `label` and a fixed-width argument struct in `body`; the
 * result struct comes back in `body`. Userspace services use the same Call
 * with a protobuf body.
 */
#ifndef CAPOS_ABI_H
#define CAPOS_ABI_H

#include <stdint.h>

#define CAPOS_ABI_VERSION 3

typedef int64_t capos_status_t;
typedef uint32_t capos_cap_t; /* a slot in the caller's capability table */

#define CAPOS_NO_CAP 0xffffffffu

/* One status enum for kernel objects and userspace services alike. */
enum capos_status {
	CAPOS_OK = 0,
	CAPOS_INVALID_CAP = 1,      /* slot empty or out of range */
	CAPOS_WRONG_TYPE = 2,       /* the cap's object has no such operation */
	CAPOS_DENIED = 3,           /* the cap lacks the right */
	CAPOS_INVALID_ARGUMENT = 4, /* bad pointer, length, label or body */
	CAPOS_NO_MEMORY = 5,        /* the machine is out of frames */
	CAPOS_LIMIT_EXCEEDED = 6,   /* a resource profile limit */
	CAPOS_DISCONNECTED = 7,     /* the serving process died */
	CAPOS_TIMEOUT = 8,
	CAPOS_WOULD_BLOCK = 9,
	CAPOS_UNSUPPORTED = 10,     /* unknown syscall or method */
	CAPOS_RETARGETED = 11,      /* the endpoint moved to another server */
	CAPOS_SLOT_OCCUPIED = 12,   /* the destination slot is not empty */
	CAPOS_NOT_FOUND = 13,       /* a service has nothing by that name or handle */
	CAPOS_PROTOCOL_ERROR = 14,  /* a reply broke its interface's contract (e.g. OK
				       without the caps it promises) */
};

enum capos_syscall {
	CAPOS_SYS_CALL = 0,       /* rdi = cap; send, then wait for the reply */
	CAPOS_SYS_SEND = 1,       /* rdi = cap; blocks until received */
	CAPOS_SYS_NBSEND = 2,     /* rdi = cap; WOULD_BLOCK if nobody waits */
	CAPOS_SYS_RECV = 3,       /* rdi = endpoint cap */
	CAPOS_SYS_REPLY_RECV = 4, /* rdi = endpoint cap; reply, then Recv */
	CAPOS_SYS_SIGNAL = 5,     /* rdi = notification cap, rsi = bits */
	CAPOS_SYS_WAIT = 6,       /* rdi = notification cap, rsi = timeout ns */
	CAPOS_SYS_YIELD = 7,
	CAPOS_SYS_EXIT = 8,       /* rdi = exit code (int64); never returns */
	CAPOS_SYS_RECV_TIMEOUT = 9,       /* rdi = endpoint cap, rsi = timeout ns (as Wait) */
	CAPOS_SYS_REPLY_RECV_TIMEOUT = 10, /* rdi = endpoint cap, rsi = timeout ns; reply first */
	CAPOS_SYS_COUNT = 11,
};

#define CAPOS_WAIT_POLL    0ull            /* Wait: do not block */
#define CAPOS_WAIT_FOREVER 0xffffffffffffffffull

/* ---- Messages ---------------------------------------------------------- */

#define CAPOS_MSG_BODY_MAX 2048u
#define CAPOS_MSG_MAX_CAPS 4u

enum capos_recv_kind {
	CAPOS_RECV_MESSAGE = 1, /* label/badge/len/body/caps are a message */
	CAPOS_RECV_SIGNAL = 2,  /* `signals` holds bits of the bound notification */
};

struct capos_ipc_buffer {
	uint64_t label;   /* in: method; out: the label received (reply: status) */
	uint64_t badge;   /* out: badge of the cap the sender used */
	uint64_t signals; /* out: notification bits (Wait, or a Recv woken by them) */
	uint32_t len;     /* body bytes, <= CAPOS_MSG_BODY_MAX */
	uint32_t ncaps;   /* in: caps to send; out: caps received */
	uint32_t caps[CAPOS_MSG_MAX_CAPS]; /* in: slots to send; out: slots filled */
	uint32_t cap_move; /* in: bit i set = move caps[i] instead of copying */
	uint32_t kind;     /* out: enum capos_recv_kind */
	uint64_t reserved[2];
	uint8_t body[CAPOS_MSG_BODY_MAX];
};

/* ---- Capabilities -------------------------------------------------------- */

enum capos_cap_type {
	CAPOS_CAP_NULL = 0,
	CAPOS_CAP_ENDPOINT = 1,
	CAPOS_CAP_NOTIFICATION = 2,
	CAPOS_CAP_PROCESS = 3,
	CAPOS_CAP_THREAD = 4,
	CAPOS_CAP_SHARED_BUFFER = 5,
	CAPOS_CAP_IRQ_CONTROL = 6,
	CAPOS_CAP_IRQ_HANDLER = 7,
	CAPOS_CAP_IOPORT = 8,
	CAPOS_CAP_CAP_MANAGER = 9,
	CAPOS_CAP_REPLY = 10,
	CAPOS_CAP_KERNEL_INFO = 11,
	CAPOS_CAP_PROCESS_CONTROL = 12,
};

/* Rights. A derived cap never has a right its source lacks. */
#define CAPOS_RIGHT_READ    (1u << 0) /* read memory / query */
#define CAPOS_RIGHT_WRITE   (1u << 1) /* write memory / modify */
#define CAPOS_RIGHT_GRANT   (1u << 2) /* transfer caps in messages through it */
#define CAPOS_RIGHT_SEND    (1u << 3) /* Call/Send on an endpoint, Signal */
#define CAPOS_RIGHT_RECV    (1u << 4) /* Recv on an endpoint, Wait */
#define CAPOS_RIGHT_CONTROL (1u << 5) /* methods that change the object */
#define CAPOS_RIGHTS_ALL    0x3fu

/* Slots of the root task's initial table (the kernel fills them). */
enum capos_root_slot {
	CAPOS_ROOT_CAP_MANAGER = 0,
	CAPOS_ROOT_PROCESS = 1,  /* itself */
	CAPOS_ROOT_THREAD = 2,   /* its first thread */
	CAPOS_ROOT_IOPORT = 3,   /* every I/O port */
	CAPOS_ROOT_IRQ_CONTROL = 4,
	CAPOS_ROOT_KERNEL_INFO = 5,
	CAPOS_ROOT_BOOT_PACKAGE = 6, /* SharedBuffer holding boot.pkg, read-only */
	CAPOS_ROOT_PROCESS_CONTROL = 7, /* retarget endpoints (live upgrade, restart) */
	CAPOS_ROOT_FIRST_FREE = 8,
};

/* ---- Address space ----------------------------------------------------- */

#define CAPOS_PAGE_SIZE        4096u
#define CAPOS_USER_BASE        0x0000000000400000ull /* programs' link base */
#define CAPOS_USER_TOP         0x00007ffffffff000ull /* first address above user space */
#define CAPOS_USER_STACK_TOP   0x00007fffffff0000ull /* the first thread's stack */
#define CAPOS_USER_STACK_PAGES 16u
#define CAPOS_IPC_BUFFER_VA    0x00007fffffff8000ull /* the first thread's IPC buffer (above its stack, a guard page between) */
#define CAPOS_TLS_VA           0x00007fffffffa000ull /* the first thread's TLS page (struct capos_tcb at its start) */
#define CAPOS_STARTUP_VA       0x00007fffffffc000ull /* the startup page (struct capos_startup), read-only */

#define CAPOS_PROT_READ  (1u << 0)
#define CAPOS_PROT_WRITE (1u << 1)
#define CAPOS_PROT_EXEC  (1u << 2) /* never together with WRITE */

/*
 * A new thread starts at its entry with rdi = its IPC buffer's address,
 * rsi = the arg given at creation, rsp = its stack, FS base = its TLS base,
 * and a clean FPU state.
 */

/*
 * The first thread of a program (a root task started by the kernel, or a
 * child made by the runtime's capos_spawn) also finds, written by its
 * creator before it starts:
 *  - at CAPOS_TLS_VA, one read-write page whose start is its thread control
 *    block, and FS base = CAPOS_TLS_VA: %fs:0 points at itself and %fs:0x28
 *    holds the stack-protector canary (the x86_64 System V layout that code
 *    built with -fstack-protector expects);
 *  - at CAPOS_STARTUP_VA, one read-only page, struct capos_startup: the
 *    capabilities its creator put in its table, by local name.
 * Threads a program creates itself get their TLS base at creation
 * (capos_thread_create.tls_base) or later with CAPOS_THREAD_SET_TLS.
 */
struct capos_tcb {
	uint64_t self;          /* %fs:0x00: the TCB's own address */
	uint64_t dtv;           /* %fs:0x08: unused (no dynamic TLS) */
	uint64_t self2;         /* %fs:0x10: the TCB's own address again */
	uint64_t reserved[2];   /* %fs:0x18, 0x20 */
	uint64_t stack_guard;   /* %fs:0x28: the stack-protector canary */
	uint64_t pointer_guard; /* %fs:0x30 */
	uint64_t runtime[9];    /* free for the userspace runtime */
};

#define CAPOS_STARTUP_MAGIC    0x5055545241545343ull /* "CSTARTUP" little-endian */
#define CAPOS_STARTUP_VERSION  2u
#define CAPOS_STARTUP_NAME_MAX 24u /* bytes with the NUL: names are 1-23 chars */
#define CAPOS_STARTUP_ROOT_TASK (1u << 0) /* flags: started by the kernel from the boot package */

struct capos_startup_cap {
	char name[CAPOS_STARTUP_NAME_MAX]; /* NUL-terminated local name */
	uint32_t slot;                     /* slot in the program's own table */
	uint32_t type;                     /* enum capos_cap_type (0: not recorded) */
};

#define CAPOS_STARTUP_MAX_CAPS   64u
#define CAPOS_STARTUP_PARAM_KEY_MAX 31u
/* Parameters: what the creator tells the program besides caps (init: the
 * manifest's hostname, log level, the component's own params, the names
 * of its badged clients). Configuration, never authority. */
#define CAPOS_STARTUP_PARAMS_MAX (CAPOS_PAGE_SIZE - 64u - CAPOS_STARTUP_MAX_CAPS * 32u)

struct capos_startup {
	uint64_t magic;    /* CAPOS_STARTUP_MAGIC */
	uint32_t version;  /* CAPOS_STARTUP_VERSION */
	uint32_t ncaps;    /* entries used in caps[], <= CAPOS_STARTUP_MAX_CAPS */
	uint32_t flags;    /* CAPOS_STARTUP_* */
	uint32_t params_len; /* bytes used in params[] */
	uint64_t tls_base; /* the first thread's TLS base (CAPOS_TLS_VA) */
	char program[32];  /* the program's name (NUL-terminated) */
	struct capos_startup_cap caps[CAPOS_STARTUP_MAX_CAPS];
	/* "key=value\0" strings back to back; keys are 1-31 bytes of
	 * [a-z0-9_.], values any bytes but NUL. */
	char params[CAPOS_STARTUP_PARAMS_MAX];
};

_Static_assert(sizeof(struct capos_tcb) == 128, "capos_tcb layout");
_Static_assert(sizeof(struct capos_startup) == CAPOS_PAGE_SIZE, "startup page");

/* ---- Resource profiles --------------------------------------------------- */

/*
 * Quotas nest: creating a child reserves its whole max_pages from the
 * parent's remaining pages (usage.pages counts the reservation, plus the
 * child's object page), or fails with LIMIT_EXCEEDED changing nothing; the
 * reservation comes back when the child is destroyed. Pages are the one
 * resource: every frame a process holds (memory, tables, threads,
 * endpoints, its crash record) is charged to them. The other limits are
 * the shape of one process and do not nest (docs/kernel.md, "Quotas").
 */
struct capos_limits {
	uint32_t max_slots;     /* capability table size */
	uint32_t max_threads;
	uint32_t max_pages;     /* every frame charged: memory, tables, objects,
				 * and the max_pages of each child not yet destroyed */
	uint32_t max_endpoints; /* endpoints and notifications it creates */
};

/* A root task's (init's) pages: what the kernel gives each program it
 * starts, so all a manifest's components must fit in it
 * (codegen/manifest.py INIT_PAGES). */
#define CAPOS_ROOT_MAX_PAGES 16384u /* 64 MiB */

struct capos_usage {
	uint32_t slots;
	uint32_t threads;
	uint32_t pages;
	uint32_t endpoints;
};

/* ---- Kernel object methods (label) and their bodies ---------------------- */

/* CapabilityManager: the caller's own table. */
enum capos_capmgr_method {
	CAPOS_CAPMGR_LIST = 1,       /* capos_capmgr_list -> capos_capmgr_list_result */
	CAPOS_CAPMGR_COPY = 2,       /* capos_capmgr_slots */
	CAPOS_CAPMGR_MINT = 3,       /* capos_capmgr_mint */
	CAPOS_CAPMGR_MOVE = 4,       /* capos_capmgr_slots */
	CAPOS_CAPMGR_DELETE = 5,     /* capos_capmgr_slots (src only) */
	CAPOS_CAPMGR_SAVE_REPLY = 6, /* capos_capmgr_slots (dst only) */
	CAPOS_CAPMGR_WATCH_DEATH = 7,   /* capos_endpoint_watch */
	CAPOS_CAPMGR_UNWATCH_DEATH = 8, /* capos_endpoint_watch */
	CAPOS_CAPMGR_NOTIFY_ARRIVAL = 9, /* capos_endpoint_watch: see below */
};

struct capos_capmgr_slots {
	uint32_t src;
	uint32_t dst;
};

struct capos_capmgr_mint {
	uint32_t src;
	uint32_t dst;
	uint32_t rights; /* ANDed with the source's rights */
	uint32_t set_badge; /* 1: give the new cap `badge` (source must be unbadged) */
	uint64_t badge;
};

struct capos_capmgr_list {
	uint32_t first; /* first slot to report */
	uint32_t max;   /* at most this many entries */
};

struct capos_cap_info {
	uint32_t slot;
	uint16_t type;   /* enum capos_cap_type */
	uint16_t rights;
	uint64_t badge;
	uint64_t interface_id; /* endpoints: the id given at creation, else 0 */
};

#define CAPOS_CAPMGR_LIST_MAX ((CAPOS_MSG_BODY_MAX - 16u) / sizeof(struct capos_cap_info))

struct capos_capmgr_list_result {
	uint32_t count;      /* entries below */
	uint32_t next;       /* first slot after the last one examined */
	uint32_t table_size;
	uint32_t used;       /* occupied slots in the whole table */
	struct capos_cap_info entries[CAPOS_CAPMGR_LIST_MAX];
};

/*
 * Process: the caller's own (root slot 1) or a child it created. Rights on
 * the Process cap:
 *   READ              INFO;
 *   WRITE             MAP_ANON, UNMAP, CREATE_THREAD - its memory and its
 *                     threads, within its resource profile (a READ|WRITE
 *                     cap is the narrowed "self" grant);
 *   WRITE, on a cap naming the caller's own process: also
 *                     CREATE_SHARED_BUFFER (charged to its own quota) and
 *                     MAP_SHARED (into its own address space); on another
 *                     process these need CONTROL too;
 *   WRITE and CONTROL every other method (and any unknown label);
 * else DENIED, before any other check (MAP_SHARED and
 * CREATE_SHARED_BUFFER: after the process's state, before their
 * arguments). UNMAP never removes an IPC buffer
 * (INVALID_ARGUMENT); any other page the process owns it may unmap, and a
 * later touch is its own page fault.
 */
enum capos_process_method {
	CAPOS_PROCESS_CREATE_PROCESS = 1,      /* create_process -> new_cap */
	CAPOS_PROCESS_CREATE_ENDPOINT = 2,     /* create_endpoint -> new_cap */
	CAPOS_PROCESS_CREATE_NOTIFICATION = 3, /* (none) -> new_cap */
	CAPOS_PROCESS_CREATE_SHARED_BUFFER = 4, /* create_shared_buffer -> new_cap */
	CAPOS_PROCESS_CREATE_THREAD = 5,       /* create_thread -> new_cap */
	CAPOS_PROCESS_MAP_ANON = 6,            /* map */
	CAPOS_PROCESS_MAP_SHARED = 7,          /* map (cap = the buffer) */
	CAPOS_PROCESS_UNMAP = 8,               /* map (va, pages) */
	CAPOS_PROCESS_WRITE_MEMORY = 9,        /* write_memory */
	CAPOS_PROCESS_INSTALL_CAP = 10,        /* install_cap */
	CAPOS_PROCESS_KILL = 11,               /* (none) */
	CAPOS_PROCESS_INFO = 12,               /* (none) -> process_info */
	CAPOS_PROCESS_SET_SUPERVISOR = 13,     /* set_supervisor */
	CAPOS_PROCESS_MAKE_CAP_MANAGER = 14,   /* (none) -> new_cap: a manager of
						  that process's table, to install
						  into it (it answers only there) */
};

/* Every object a create method makes is charged to the process the cap
 * names; the new cap goes into the caller's first free slot. */
struct capos_new_cap {
	uint32_t slot;
	uint32_t reserved;
};

struct capos_process_create {
	char name[32];
	struct capos_limits limits;
};

struct capos_endpoint_create {
	uint64_t interface_id; /* reported by CapabilityManager.list */
};

struct capos_shared_buffer_create {
	uint32_t pages;
	uint32_t reserved;
};

/* The longest time slice any thread may ask for (Thread create and set
 * priority, the manifest's time_slice_us, ProcessSpawner.Spawn): 100 ms. */
#define CAPOS_MAX_TIME_SLICE_US 100000u

struct capos_thread_create {
	uint64_t entry;
	uint64_t stack;      /* initial rsp */
	uint64_t ipc_buffer; /* page-aligned, unmapped: the kernel maps it */
	uint64_t tls_base;
	uint64_t arg;        /* rsi at start */
	uint32_t priority;   /* 0-255, at most the creating thread's */
	uint32_t time_slice_us; /* 0: the default; at most CAPOS_MAX_TIME_SLICE_US */
};

/* The longest time slice a thread may have (100 ms): above it every kernel
 * entry that takes a slice answers INVALID_ARGUMENT (Process.CREATE_THREAD,
 * Thread.SET_PRIORITY), and the manifest validator and the spawner refuse
 * it too, so no thread holds a CPU for minutes at a time. */
#define CAPOS_MAX_TIME_SLICE_US 100000u

struct capos_map {
	uint64_t va;     /* page aligned, below CAPOS_USER_TOP */
	uint32_t pages;
	uint32_t prot;   /* CAPOS_PROT_* */
	uint32_t cap;    /* MAP_SHARED: the SharedBuffer */
	uint32_t offset_pages; /* MAP_SHARED: first page of the buffer */
};

#define CAPOS_WRITE_MEMORY_MAX (CAPOS_MSG_BODY_MAX - 16u)

struct capos_write_memory {
	uint64_t va;  /* into pages already mapped in the target */
	uint32_t len; /* <= CAPOS_WRITE_MEMORY_MAX */
	uint32_t reserved;
	uint8_t data[CAPOS_WRITE_MEMORY_MAX];
};

struct capos_install_cap {
	uint32_t src;    /* slot in the caller's table */
	uint32_t dst;    /* slot in the target's table */
	uint32_t rights; /* ANDed with the source's rights */
	uint32_t set_badge;
	uint64_t badge;
};

enum capos_process_state {
	CAPOS_PROCESS_ALIVE = 1,
	CAPOS_PROCESS_EXITED = 2,
	CAPOS_PROCESS_FAULTED = 3,
	CAPOS_PROCESS_KILLED = 4,
};

struct capos_process_info {
	uint32_t pid;
	uint32_t state; /* enum capos_process_state */
	int64_t exit_code;
	struct capos_limits limits;
	struct capos_usage usage;
};

/* The endpoint (with SEND right) to which the kernel sends the process's
 * crash record when it dies; the record carries that cap's badge. */
struct capos_set_supervisor {
	uint32_t endpoint;
	uint32_t reserved;
};

/* A crash record: the message a supervisor receives (label
 * CAPOS_LABEL_CRASH_RECORD, badge = the supervisor cap's badge). Redacted:
 * no register or memory contents. While no thread receives, records queue
 * on the endpoint, at most CAPOS_CRASH_QUEUE_MAX, each a page charged to
 * the process that died (so to its creator's reservation) until received;
 * one that cannot queue is counted in the next record's `dropped`. */
#define CAPOS_CRASH_QUEUE_MAX 64u
#define CAPOS_LABEL_CRASH_RECORD 0x4352415348ull /* "CRASH" */

enum capos_death_cause {
	CAPOS_DEATH_EXIT = 1,
	CAPOS_DEATH_FAULT = 2,
	CAPOS_DEATH_KILLED = 3,
	/* No process: `dropped` records were lost on this endpoint and no
	 * queued record was left to carry the count (badge 0, pid 0). */
	CAPOS_DEATH_LOST = 4,
};

struct capos_crash_record {
	char name[32];
	uint32_t pid;
	uint32_t cause;      /* enum capos_death_cause */
	uint64_t vector;     /* CPU exception (FAULT) */
	uint64_t error_code; /* CPU error code (FAULT) */
	uint64_t fault_addr; /* cr2 for page faults, else 0 */
	uint64_t rip;        /* faulting instruction (FAULT) */
	int64_t exit_code;   /* EXIT */
	/* Records lost on this endpoint (its queue full, or the dying process
	 * had no page left for its record) since the last one received: an
	 * overflow is counted, never silent. */
	uint32_t dropped;
	uint32_t reserved;
};

/* Death watch. A Call on an endpoint is a message to its server, so the
 * kernel's endpoint methods are reached through the caller's
 * CapabilityManager (CAPOS_CAPMGR_WATCH_DEATH / UNWATCH_DEATH), naming the
 * endpoint by slot. When the endpoint's serving process dies, `bits` are
 * signalled on the notification (which needs SEND right). */
#define CAPOS_ENDPOINT_MAX_WATCHES 8u

struct capos_endpoint_watch {
	uint32_t endpoint;
	uint32_t notification;
	uint64_t bits; /* ignored by UNWATCH */
};

/*
 * NOTIFY_ARRIVAL: a server with RECV on `endpoint` asks the kernel to
 * signal `bits` on `notification` (SEND needed) whenever a message has to
 * wait on the endpoint because no thread is receiving: a queued Call or
 * Send, or a crash record. One per endpoint; bits 0 (or the notification
 * slot CAPOS_NO_CAP) removes it. With the notification bound to its
 * thread, one server thread serves several endpoints without polling: it
 * Recvs on one, and a SIGNAL wake-up says another has callers waiting
 * (take them with RecvTimeout and CAPOS_WAIT_POLL).
 */

/* ProcessControl: held by init; moves an endpoint's serving side, and
 * reads another process's capability table. */
enum capos_process_control_method {
	CAPOS_PCTL_RETARGET = 1, /* retarget */
	CAPOS_PCTL_CAP_LIST = 2, /* capos_pctl_cap_list -> capos_capmgr_list_result */
};

/* CAP_LIST: what CapabilityManager.LIST tells a process about its own
 * table, for the process named by a Process cap with CONTROL - read-only,
 * nothing moves. Only the ProcessControl cap's holder (init) can ask; init
 * answers it to the debug server alone (ProcessControl.CapTable). */
struct capos_pctl_cap_list {
	uint32_t process;
	uint32_t first;
	uint32_t max;
	uint32_t reserved; /* 0 */
};

/* endpoint: a cap with RECV right; process: a Process cap with CONTROL.
 * Atomic: queued calls stay queued for the new server, in order; threads
 * of the old server blocked in Recv on it return RETARGETED; calls the old
 * server already received are still answered by it (or DISCONNECTED if it
 * dies first). A dead endpoint comes back to life. */
struct capos_retarget {
	uint32_t endpoint;
	uint32_t process;
};

/* Thread. */
enum capos_thread_method {
	CAPOS_THREAD_START = 1,             /* (none) */
	CAPOS_THREAD_SET_PRIORITY = 2,      /* thread_priority */
	CAPOS_THREAD_BIND_NOTIFICATION = 3, /* thread_bind (CAPOS_NO_CAP unbinds) */
	CAPOS_THREAD_SET_TLS = 4,           /* thread_tls: its FS base */
};

/* base < CAPOS_USER_TOP (0 allowed: no TLS), else INVALID_ARGUMENT. Takes
 * effect at once, also when the target is the calling thread. */
struct capos_thread_tls {
	uint64_t base;
};

struct capos_thread_priority {
	uint32_t priority;
	uint32_t time_slice_us; /* 0: unchanged; at most CAPOS_MAX_TIME_SLICE_US */
};

struct capos_thread_bind {
	uint32_t notification;
	uint32_t reserved;
};

/* SharedBuffer. */
enum capos_shared_buffer_method {
	CAPOS_SHARED_BUFFER_INFO = 1, /* (none) -> shared_buffer_info */
};

struct capos_shared_buffer_info {
	uint32_t pages;
	uint32_t bytes; /* meaningful length (boot package: its size) */
};

/* IOPort: in/out on the cap's port range only. */
enum capos_ioport_method {
	CAPOS_IOPORT_IN = 1,       /* ioport -> ioport (value) */
	CAPOS_IOPORT_OUT = 2,      /* ioport */
	CAPOS_IOPORT_SUBRANGE = 3, /* ioport_range -> new_cap */
	CAPOS_IOPORT_WRITE_STRING = 4, /* ioport_string: outb each byte, waiting on a status bit */
};

struct capos_ioport {
	uint16_t port;
	uint8_t width; /* 1, 2 or 4 */
	uint8_t reserved;
	uint32_t value;
};

struct capos_ioport_range {
	uint16_t base;
	uint16_t count;
	uint32_t reserved;
};

#define CAPOS_IOPORT_STRING_MAX (CAPOS_MSG_BODY_MAX - 16u)

/* Writes data byte by byte to `port`, each after (inb(status_port) & ready_mask)
 * is non-zero (a UART's transmit-empty bit). Both ports must be in range.
 * The kernel reads the status port at most CAPOS_IOPORT_POLL_MAX times per
 * call (interrupts are off meanwhile): a device not ready by then ends the
 * call with CAPOS_WOULD_BLOCK, and the reply body is then a struct
 * capos_ioport_written: how many bytes went out; the caller retries the
 * rest later. OK (all written) leaves the body as it was. */
struct capos_ioport_string {
	uint16_t port;
	uint16_t status_port;
	uint8_t ready_mask;
	uint8_t reserved[3];
	uint32_t len;
	uint32_t reserved2;
	uint8_t data[CAPOS_IOPORT_STRING_MAX];
};

#define CAPOS_IOPORT_POLL_MAX 1024u

struct capos_ioport_written {
	uint32_t written;
	uint32_t reserved;
};

/* IRQControl / IRQHandler. */
enum capos_irq_method {
	CAPOS_IRQ_CONTROL_GET = 1, /* irq_get -> new_cap (an IRQHandler) */
	CAPOS_IRQ_HANDLER_ACK = 1, /* (none): unmask after handling */
};

struct capos_irq_get {
	uint32_t irq;          /* legacy ISA IRQ 0-15 */
	uint32_t notification; /* slot of the notification to signal */
	uint64_t bits;         /* bits to signal on each interrupt */
};

/* KernelInfo: counters for tests and monitoring. Read-only. */
enum capos_kinfo_method {
	CAPOS_KINFO_STATS = 1, /* (none) -> kinfo_stats */
	CAPOS_KINFO_IRQ_COUNT = 2, /* kinfo_irq (vector) -> kinfo_irq (count) */
	CAPOS_KINFO_CHECK_INVARIANTS = 3, /* (none) -> kinfo_check */
};

/* Result of the kernel's invariant walk (kernels built with the checks;
 * others answer UNSUPPORTED). */
struct capos_kinfo_check {
	uint64_t objects_checked;
	uint64_t violations; /* 0 when every invariant holds */
};

struct capos_kinfo_stats {
	uint64_t free_frames;
	uint64_t live_objects;
	uint64_t now_ns;   /* monotonic, from the TSC */
	uint64_t tsc_khz;
	uint64_t timer_interrupts;
	uint64_t boot_tsc; /* the TSC at kernel entry (init's boot benchmark) */
};

struct capos_kinfo_irq {
	uint32_t vector;
	uint32_t reserved;
	uint64_t count;
};

#endif
