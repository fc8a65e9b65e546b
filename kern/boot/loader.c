/*
 * loader.c - the capOS UEFI loader (\EFI\BOOT\BOOTX64.EFI), GNU-EFI.
 *
 * Reads \capos\kernel.elf and \capos\boot.pkg from the ESP it was started
 * from, validates both, places the kernel at its link address, builds boot
 * page tables, gathers ACPI/framebuffer/memory map, exits boot services and
 * jumps to the kernel with a struct capos_boot_info (see capos/bootinfo.h
 * and docs/boot.md). Any failure prints one line naming the file and the
 * problem, then exits QEMU (isa-debug-exit 0x12) or shuts the machine down.
 */
#include <efi.h>
#include <efilib.h>

#include <capos/bootinfo.h>
#include <lib/bootpkg.h>
#include <lib/elf.h>

#define PAGE_SIZE     4096ull
#define LARGE_PAGE    (2ull << 20)
#define GIB           (1ull << 30)
#define PML4_SPAN     (512ull * GIB)

#define PTE_P  0x001ull
#define PTE_W  0x002ull
#define PTE_PS 0x080ull
#define PTE_ADDR 0x000ffffffffff000ull

#define KERNEL_FILE  L"\\capos\\kernel.elf"
#define PKG_FILE     L"\\capos\\boot.pkg"
#define KERNEL_NAME  "\\capos\\kernel.elf"
#define PKG_NAME     "\\capos\\boot.pkg"

#define MAX_FILE_SIZE   (256ull << 20)
#define BOOT_STACK_SIZE (64ull << 10)
#define EXIT_RETRIES    8
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_FAIL 0x12

static EFI_SYSTEM_TABLE *g_st;
static EFI_BOOT_SERVICES *g_bs;
static int g_services_exited;

/* ------------------------------------------------------------------ */
/* Port I/O and console                                               */

static inline void outb(UINT16 port, UINT8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline UINT8 inb(UINT16 port)
{
	UINT8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline UINT64 rdtsc(void)
{
	UINT32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((UINT64)hi << 32) | lo;
}

/* COM1, already programmed by the firmware: used only after boot services
 * are gone, when ConOut may no longer be touched. */
static void serial_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_puts("\r");
		for (int i = 0; i < 100000 && !(inb(0x3f8 + 5) & 0x20); i++)
			;
		outb(0x3f8, (UINT8)*s);
	}
}

static void con_puts(const char *s)
{
	if (g_services_exited || !g_st || !g_st->ConOut) {
		serial_puts(s);
		return;
	}
	CHAR16 buf[128];
	UINTN n = 0;
	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(UINT8)*s;
		if (n >= 126) {
			buf[n] = 0;
			g_st->ConOut->OutputString(g_st->ConOut, buf);
			n = 0;
		}
	}
	if (n) {
		buf[n] = 0;
		g_st->ConOut->OutputString(g_st->ConOut, buf);
	}
}

static void con_hex(UINT64 v)
{
	char b[19];
	b[0] = '0';
	b[1] = 'x';
	for (int i = 0; i < 16; i++)
		b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	b[18] = 0;
	con_puts(b);
}

static void con_dec(UINT64 v)
{
	char b[21];
	int i = 20;
	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	con_puts(b + i);
}

static const char *efi_status_str(EFI_STATUS s)
{
	switch (s) {
	case EFI_SUCCESS: return "success";
	case EFI_LOAD_ERROR: return "load error";
	case EFI_INVALID_PARAMETER: return "invalid parameter";
	case EFI_UNSUPPORTED: return "unsupported";
	case EFI_BAD_BUFFER_SIZE: return "bad buffer size";
	case EFI_BUFFER_TOO_SMALL: return "buffer too small";
	case EFI_NOT_READY: return "not ready";
	case EFI_DEVICE_ERROR: return "device error";
	case EFI_WRITE_PROTECTED: return "write protected";
	case EFI_OUT_OF_RESOURCES: return "out of resources";
	case EFI_VOLUME_CORRUPTED: return "volume corrupted";
	case EFI_VOLUME_FULL: return "volume full";
	case EFI_NO_MEDIA: return "no media";
	case EFI_MEDIA_CHANGED: return "media changed";
	case EFI_NOT_FOUND: return "not found";
	case EFI_ACCESS_DENIED: return "access denied";
	case EFI_END_OF_FILE: return "end of file";
	default: return "error";
	}
}

/* The fatal path: fatal_begin() prints the prefix, the caller prints what
 * failed, fatal_end() prints ": <why>" and stops the machine: QEMU's
 * isa-debug-exit (status 37), else a firmware shutdown. Never returns. */
static void fatal_begin(void)
{
	con_puts("capOS loader: ");
}

__attribute__((noreturn)) static void fatal_end(const char *why)
{
	if (why) {
		con_puts(": ");
		con_puts(why);
	}
	con_puts("\n");
	outb(DEBUG_EXIT_PORT, DEBUG_EXIT_FAIL);
	/* Real hardware: leave the message readable for a moment. */
	if (!g_services_exited && g_bs)
		g_bs->Stall(5 * 1000 * 1000);
	if (g_st && g_st->RuntimeServices)
		g_st->RuntimeServices->ResetSystem(EfiResetShutdown, EFI_ABORTED, 0, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

__attribute__((noreturn)) static void fatal(const char *what, const char *why)
{
	fatal_begin();
	con_puts(what);
	fatal_end(why);
}

__attribute__((noreturn)) static void fatal2(const char *a, const char *b,
					     const char *why)
{
	fatal_begin();
	con_puts(a);
	con_puts(b);
	fatal_end(why);
}

__attribute__((noreturn)) static void fatal_efi(const char *what, EFI_STATUS s)
{
	fatal(what, efi_status_str(s));
}

static void *alloc_pages(UINT64 pages, EFI_MEMORY_TYPE type, const char *what)
{
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS s = g_bs->AllocatePages(AllocateAnyPages, type, pages, &a);
	if (EFI_ERROR(s)) {
		fatal_begin();
		con_puts("cannot allocate ");
		con_dec(pages);
		con_puts(" pages for ");
		con_puts(what);
		fatal_end(efi_status_str(s));
	}
	g_bs->SetMem((void *)a, pages * PAGE_SIZE, 0);
	return (void *)a;
}

static UINT64 pages_for(UINT64 bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* ------------------------------------------------------------------ */
/* Files                                                              */

static EFI_GUID g_loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID g_sfs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID g_file_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID g_gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
static EFI_GUID g_acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID g_acpi10_guid = ACPI_TABLE_GUID;

static EFI_FILE_HANDLE open_root(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li = NULL;
	EFI_FILE_IO_INTERFACE *fs = NULL;
	EFI_FILE_HANDLE root = NULL;
	EFI_STATUS s;

	s = g_bs->HandleProtocol(image, &g_loaded_image_guid, (void **)&li);
	if (EFI_ERROR(s))
		fatal_efi("no loaded image protocol", s);
	s = g_bs->HandleProtocol(li->DeviceHandle, &g_sfs_guid, (void **)&fs);
	if (EFI_ERROR(s))
		fatal_efi("boot device has no file system", s);
	s = fs->OpenVolume(fs, &root);
	if (EFI_ERROR(s))
		fatal_efi("cannot open the boot volume", s);
	return root;
}

/* Reads a whole file into fresh pages of the given type; *size = bytes. */
static void *read_file(EFI_FILE_HANDLE root, CHAR16 *path, const char *name,
		       EFI_MEMORY_TYPE type, UINT64 *size)
{
	EFI_FILE_HANDLE fh = NULL;
	EFI_STATUS s;
	union {
		EFI_FILE_INFO info;
		UINT8 raw[sizeof(EFI_FILE_INFO) + 512];
	} fi;
	UINTN fisz = sizeof(fi);

	s = root->Open(root, &fh, path, EFI_FILE_MODE_READ, 0);
	if (s == EFI_NOT_FOUND) {
		fatal2(name, " is missing", "not found on the boot volume");
	}
	if (EFI_ERROR(s)) {
		fatal2("cannot open ", name, efi_status_str(s));
	}
	s = fh->GetInfo(fh, &g_file_info_guid, &fisz, &fi);
	if (EFI_ERROR(s)) {
		fatal2("cannot stat ", name, efi_status_str(s));
	}
	if (fi.info.Attribute & EFI_FILE_DIRECTORY) {
		fatal2(name, " is unusable", "it is a directory");
	}
	UINT64 len = fi.info.FileSize;
	if (len == 0) {
		fatal2(name, " is corrupt", "the file is empty");
	}
	if (len > MAX_FILE_SIZE) {
		fatal2(name, " is unusable", "larger than 256 MiB");
	}
	UINT8 *buf = alloc_pages(pages_for(len), type, name);
	UINT64 done = 0;
	while (done < len) {
		UINTN chunk = len - done;
		s = fh->Read(fh, &chunk, buf + done);
		if (EFI_ERROR(s)) {
			fatal2("cannot read ", name, efi_status_str(s));
		}
		if (chunk == 0) {
			fatal2(name, " is corrupt", "the file ended early");
		}
		done += chunk;
	}
	fh->Close(fh);
	*size = len;
	return buf;
}

/* ------------------------------------------------------------------ */
/* Page tables                                                        */

struct pt_pool {
	UINT64 *next;
	UINT64 left;
};

static UINT64 *pt_alloc(struct pt_pool *p)
{
	if (p->left == 0)
		fatal("page table pool exhausted", "loader bug");
	UINT64 *t = p->next;
	p->next += 512;
	p->left--;
	return t; /* already zeroed by alloc_pages */
}

/* Next-level table behind entry e, creating it if absent. */
static UINT64 *pt_next(struct pt_pool *p, UINT64 *e)
{
	if (!(*e & PTE_P))
		*e = (UINT64)pt_alloc(p) | PTE_P | PTE_W;
	return (UINT64 *)(*e & PTE_ADDR);
}

static void map_4k(struct pt_pool *p, UINT64 *pml4, UINT64 va, UINT64 pa)
{
	UINT64 *pdpt = pt_next(p, &pml4[(va >> 39) & 511]);
	UINT64 *pd = pt_next(p, &pdpt[(va >> 30) & 511]);
	if (pd[(va >> 21) & 511] & PTE_PS)
		fatal("kernel mapping collides with the direct map", "loader bug");
	UINT64 *pt = pt_next(p, &pd[(va >> 21) & 511]);
	pt[(va >> 12) & 511] = pa | PTE_P | PTE_W;
}

/*
 * Pages needed for: PML4, the shared identity/direct-map PDPTs and PDs, and
 * the kernel range [lo, hi) in 4 KiB pages (worst case one PDPT, PD and PT
 * per 512 GiB, 1 GiB and 2 MiB it touches, plus one each for straddling).
 */
static UINT64 pt_pages_needed(UINT64 dm_size, UINT64 lo, UINT64 hi)
{
	UINT64 npd = dm_size / GIB;
	UINT64 npdpt = (npd + 511) / 512;
	UINT64 span = hi - lo;
	UINT64 k = (span / PML4_SPAN + 2) + (span / GIB + 2) + (span / LARGE_PAGE + 2);
	return 1 + npdpt + npd + k;
}

static UINT64 *build_tables(UINT64 dm_size, const struct elf_image *img,
			    UINT64 kphys)
{
	UINT64 n = pt_pages_needed(dm_size, img->lo, img->hi);
	struct pt_pool pool;
	pool.next = alloc_pages(n, EfiLoaderData, "page tables");
	pool.left = n;

	UINT64 *pml4 = pt_alloc(&pool);
	UINT64 npd = dm_size / GIB;
	UINT64 dm_slot = (CAPOS_DIRECT_MAP_BASE >> 39) & 511;
	/* Identity and direct map share their PDPTs and PDs. */
	for (UINT64 g = 0; g < npd; g++) {
		UINT64 slot = g / 512;
		if (!(pml4[slot] & PTE_P)) {
			UINT64 *pdpt = pt_alloc(&pool);
			pml4[slot] = (UINT64)pdpt | PTE_P | PTE_W;
			pml4[dm_slot + slot] = pml4[slot];
		}
		UINT64 *pdpt = (UINT64 *)(pml4[slot] & PTE_ADDR);
		UINT64 *pd = pt_alloc(&pool);
		pdpt[g % 512] = (UINT64)pd | PTE_P | PTE_W;
		for (UINT64 i = 0; i < 512; i++)
			pd[i] = (g * GIB + i * LARGE_PAGE) | PTE_P | PTE_W | PTE_PS;
	}
	for (UINT64 va = img->lo; va < img->hi; va += PAGE_SIZE)
		map_4k(&pool, pml4, va, kphys + (va - img->lo));
	return pml4;
}

/* ------------------------------------------------------------------ */
/* Memory map                                                         */

static UINT32 capos_type(UINT32 efi)
{
	switch (efi) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return CAPOS_MEM_USABLE;
	case EfiLoaderCode:
	case EfiLoaderData:
		return CAPOS_MEM_LOADER;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return CAPOS_MEM_RUNTIME;
	case EfiACPIReclaimMemory:
		return CAPOS_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return CAPOS_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return CAPOS_MEM_MMIO;
	default:
		return CAPOS_MEM_RESERVED;
	}
}

struct mmap {
	UINT8 *buf;
	UINTN cap;   /* bytes allocated */
	UINTN size;  /* bytes returned */
	UINTN key;
	UINTN desc_size;
	UINT32 desc_ver;
};

static EFI_MEMORY_DESCRIPTOR *mmap_desc(const struct mmap *m, UINTN i)
{
	return (EFI_MEMORY_DESCRIPTOR *)(m->buf + i * m->desc_size);
}

static UINTN mmap_count(const struct mmap *m)
{
	return m->desc_size ? m->size / m->desc_size : 0;
}

static EFI_STATUS mmap_get(struct mmap *m)
{
	m->size = m->cap;
	return g_bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf,
				  &m->key, &m->desc_size, &m->desc_ver);
}

/* Allocates the map buffer with plenty of slack (later allocations and the
 * buffer itself add descriptors) and fetches a preliminary map. */
static void mmap_init(struct mmap *m)
{
	m->buf = NULL;
	m->cap = 0;
	EFI_STATUS s = mmap_get(m);
	if (s != EFI_BUFFER_TOO_SMALL && EFI_ERROR(s))
		fatal_efi("cannot read the memory map", s);
	UINTN ds = m->desc_size ? m->desc_size : sizeof(EFI_MEMORY_DESCRIPTOR);
	m->cap = m->size + 64 * ds + PAGE_SIZE;
	m->buf = alloc_pages(pages_for(m->cap), EfiBootServicesData, "memory map");
	m->cap = pages_for(m->cap) * PAGE_SIZE;
	s = mmap_get(m);
	if (EFI_ERROR(s))
		fatal_efi("cannot read the memory map", s);
}

static UINT64 direct_map_size(const struct mmap *m)
{
	UINT64 top = 4 * GIB;
	for (UINTN i = 0; i < mmap_count(m); i++) {
		EFI_MEMORY_DESCRIPTOR *d = mmap_desc(m, i);
		if (capos_type(d->Type) == CAPOS_MEM_MMIO)
			continue;
		UINT64 end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;
		if (end > top)
			top = end;
	}
	top = (top + GIB - 1) & ~(GIB - 1);
	/* PML4 slots 256.. hold the direct map; keep clear of the kernel's. */
	if (top > 64 * PML4_SPAN)
		fatal("physical memory map ends above 32 TiB", "not supported");
	return top;
}

/* Converts the final EFI map into bi->mem_map: sorted, merged, clipped.
 * Runs after ExitBootServices: no firmware calls. Returns false when the
 * map does not fit in CAPOS_BOOT_MAX_REGIONS. */
static int convert_map(const struct mmap *m, struct capos_boot_info *bi)
{
	UINTN n = mmap_count(m);
	UINT64 count = 0;
	struct capos_mem_region *r = bi->mem_map;

	for (UINTN i = 0; i < n; i++) {
		EFI_MEMORY_DESCRIPTOR *d = mmap_desc(m, i);
		if (d->NumberOfPages == 0)
			continue;
		struct capos_mem_region nr;
		nr.base = d->PhysicalStart & ~(PAGE_SIZE - 1);
		nr.pages = d->NumberOfPages;
		nr.type = capos_type(d->Type);
		nr.efi_type = d->Type;
		/* insertion sort by base */
		if (count >= CAPOS_BOOT_MAX_REGIONS) {
			/* try to make room by merging first */
			UINT64 w = 0;
			for (UINT64 j = 0; j < count; j++) {
				if (w && r[w - 1].type == r[j].type &&
				    r[w - 1].base + r[w - 1].pages * PAGE_SIZE == r[j].base)
					r[w - 1].pages += r[j].pages;
				else
					r[w++] = r[j];
			}
			count = w;
			if (count >= CAPOS_BOOT_MAX_REGIONS)
				return 0;
		}
		UINT64 j = count;
		while (j > 0 && r[j - 1].base > nr.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = nr;
		count++;
	}
	/* Clip overlaps (the firmware should never produce them), then merge
	 * adjacent regions of the same capos type. */
	UINT64 w = 0;
	for (UINT64 j = 0; j < count; j++) {
		struct capos_mem_region cur = r[j];
		if (w) {
			struct capos_mem_region *p = &r[w - 1];
			UINT64 pend = p->base + p->pages * PAGE_SIZE;
			if (cur.base < pend) {
				UINT64 cend = cur.base + cur.pages * PAGE_SIZE;
				if (cend <= pend)
					continue;
				cur.pages = (cend - pend) / PAGE_SIZE;
				cur.base = pend;
			}
			if (p->type == cur.type && pend == cur.base) {
				p->pages += cur.pages;
				continue;
			}
		}
		r[w++] = cur;
	}
	bi->mem_map_count = w;
	return 1;
}

/* ------------------------------------------------------------------ */
/* ACPI and framebuffer                                               */

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const UINT8 *x = (const UINT8 *)a, *y = (const UINT8 *)b;
	for (int i = 0; i < 16; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

static void find_rsdp(struct capos_boot_info *bi)
{
	UINT64 v1 = 0;
	for (UINTN i = 0; i < g_st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &g_st->ConfigurationTable[i];
		if (guid_eq(&t->VendorGuid, &g_acpi20_guid)) {
			bi->acpi_rsdp_phys = (UINT64)t->VendorTable;
			bi->acpi_rsdp_revision = 2;
			return;
		}
		if (guid_eq(&t->VendorGuid, &g_acpi10_guid) && !v1)
			v1 = (UINT64)t->VendorTable;
	}
	bi->acpi_rsdp_phys = v1;
	bi->acpi_rsdp_revision = 0;
}

static void find_framebuffer(struct capos_boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	bi->fb.format = CAPOS_FB_NONE;
	if (EFI_ERROR(g_bs->LocateProtocol(&g_gop_guid, NULL, (void **)&gop)) ||
	    !gop || !gop->Mode || !gop->Mode->Info)
		return;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi = gop->Mode->Info;
	UINT32 fmt;
	if (mi->PixelFormat == PixelRedGreenBlueReserved8BitPerColor)
		fmt = CAPOS_FB_RGBX;
	else if (mi->PixelFormat == PixelBlueGreenRedReserved8BitPerColor)
		fmt = CAPOS_FB_BGRX;
	else
		return; /* BltOnly or a bit mask format: no usable framebuffer */
	bi->fb.base = gop->Mode->FrameBufferBase;
	bi->fb.size = gop->Mode->FrameBufferSize;
	bi->fb.width = mi->HorizontalResolution;
	bi->fb.height = mi->VerticalResolution;
	bi->fb.pixels_per_line = mi->PixelsPerScanLine;
	bi->fb.format = fmt;
}

/* ------------------------------------------------------------------ */

__attribute__((noreturn)) static void enter_kernel(UINT64 pml4, UINT64 stack_top,
						   UINT64 entry, UINT64 bi_virt)
{
	__asm__ volatile(
		"cli\n\t"
		"mov %0, %%cr3\n\t"
		"mov %1, %%rsp\n\t"
		"pushq $0\n\t"      /* fake return address: rsp+8 is 16-aligned */
		"xor %%ebp, %%ebp\n\t"
		"jmp *%2\n\t"
		:
		: "r"(pml4), "r"(stack_top), "r"(entry), "D"(bi_virt)
		: "memory");
	__builtin_unreachable();
}

/* Called by gnu-efi's crt0-efi-x86_64.o, which converts the firmware's MS
 * ABI call into a SysV one (image in %rdi, system table in %rsi): so no
 * EFIAPI here. Firmware calls below are ms_abi via GNU_EFI_USE_MS_ABI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_STATUS s;

	g_st = st;
	g_bs = st->BootServices;
	g_bs->SetWatchdogTimer(0, 0, 0, NULL);

	UINT64 cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if (cr4 & (1ull << 12))
		fatal("firmware runs with 5-level paging", "not supported");

	con_puts("capOS loader: starting\n");
	EFI_FILE_HANDLE root = open_root(image);

	/* The kernel file is only needed until its segments are copied. */
	UINT64 ksize = 0, psize = 0;
	void *kfile = read_file(root, KERNEL_FILE, KERNEL_NAME,
				EfiBootServicesData, &ksize);
	void *pkg = read_file(root, PKG_FILE, PKG_NAME, EfiLoaderData, &psize);
	root->Close(root);

	struct elf_image img;
	enum elf_status es = elf_parse(kfile, ksize, CAPOS_KERNEL_VIRT_BASE,
				       0xfffffffffffff000ull, &img);
	if (es != ELF_OK) {
		fatal(KERNEL_NAME " is corrupt", elf_status_str(es));
	}
	struct bootpkg bp;
	int bad = -1;
	enum bootpkg_status ps = bootpkg_parse(pkg, psize, &bp, &bad);
	if (ps != BOOTPKG_OK) {
		fatal_begin();
		con_puts(PKG_NAME " is corrupt");
		if (bad >= 0) {
			con_puts(" (entry ");
			con_dec((UINT64)bad);
			con_puts(")");
		}
		fatal_end(bootpkg_status_str(ps));
	}
	con_puts("capOS loader: kernel.elf ");
	con_dec(ksize);
	con_puts(" bytes, boot.pkg ");
	con_dec(psize);
	con_puts(" bytes, ");
	con_dec(bp.count);
	con_puts(" entries\n");

	/* Place the kernel: one contiguous block for [lo, hi). */
	UINT64 kbytes = img.hi - img.lo;
	UINT8 *kmem = alloc_pages(kbytes / PAGE_SIZE, EfiLoaderData, "the kernel");
	for (UINT32 i = 0; i < img.nsegs; i++) {
		const struct elf_segment *sg = &img.segs[i];
		g_bs->CopyMem(kmem + (sg->vaddr - img.lo),
			      (UINT8 *)kfile + sg->offset, sg->filesz);
		/* the rest of memsz is already zero */
	}
	g_bs->FreePages((EFI_PHYSICAL_ADDRESS)kfile, pages_for(ksize));

	UINT64 bi_pages = pages_for(sizeof(struct capos_boot_info));
	struct capos_boot_info *bi = alloc_pages(bi_pages, EfiLoaderData, "boot info");
	UINT8 *stack = alloc_pages(BOOT_STACK_SIZE / PAGE_SIZE, EfiLoaderData,
				   "the boot stack");

	bi->magic = CAPOS_BOOT_INFO_MAGIC;
	bi->version = CAPOS_BOOT_INFO_VERSION;
	bi->size = sizeof(struct capos_boot_info);
	bi->kernel_phys_base = (UINT64)kmem;
	bi->kernel_phys_size = kbytes;
	bi->kernel_virt_base = img.lo;
	bi->pkg_phys = (UINT64)pkg;
	bi->pkg_size = bp.size;
	find_rsdp(bi);
	find_framebuffer(bi);

	/* Preliminary map: sizes the direct map and the final map buffer. */
	struct mmap mm;
	mmap_init(&mm);
	bi->dm_size = direct_map_size(&mm);
	UINT64 *pml4 = build_tables(bi->dm_size, &img, (UINT64)kmem);
	/* Dry run while ConOut still works: the final map differs only by a
	 * few allocations, so a map that fits now (with margin) fits then. */
	if (!convert_map(&mm, bi) ||
	    bi->mem_map_count + 16 > CAPOS_BOOT_MAX_REGIONS)
		fatal("the firmware memory map is too fragmented",
		      "more than CAPOS_BOOT_MAX_REGIONS regions");

	con_puts("capOS loader: kernel at ");
	con_hex((UINT64)kmem);
	con_puts(", ");
	con_dec(kbytes >> 10);
	con_puts(" KiB; direct map ");
	con_dec(bi->dm_size >> 30);
	con_puts(" GiB; RSDP ");
	con_hex(bi->acpi_rsdp_phys);
	con_puts("\ncapOS loader: exiting boot services\n");

	/* Final map, then ExitBootServices; retry while the key goes stale. */
	int exited = 0;
	for (int tries = 0; tries < EXIT_RETRIES && !exited; tries++) {
		s = mmap_get(&mm);
		if (EFI_ERROR(s))
			break;
		s = g_bs->ExitBootServices(image, mm.key);
		if (s == EFI_SUCCESS)
			exited = 1;
		else if (s != EFI_INVALID_PARAMETER)
			break;
	}
	if (!exited) {
		/* A failed ExitBootServices may already have torn things down. */
		g_services_exited = 1;
		fatal_efi("ExitBootServices failed", s);
	}
	g_services_exited = 1;
	g_bs = NULL;

	if (!convert_map(&mm, bi))
		fatal("memory map has too many regions", "over CAPOS_BOOT_MAX_REGIONS");

	UINT64 stack_top = CAPOS_DIRECT_MAP_BASE + (UINT64)stack + BOOT_STACK_SIZE;
	UINT64 bi_virt = CAPOS_DIRECT_MAP_BASE + (UINT64)bi;
	bi->loader_tsc = rdtsc();
	enter_kernel((UINT64)pml4, stack_top, img.entry, bi_virt);
}
