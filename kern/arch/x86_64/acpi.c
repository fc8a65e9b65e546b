/*
 * acpi.c - RSDP -> XSDT/RSDT -> MADT (read once at boot by irq_init) and
 * FADT (the PM timer, read once by apic_init to calibrate against).
 *
 * Firmware tables are input, not truth: every table is checked before a
 * byte of it is trusted.
 *
 * Invariants:
 *  - nothing is read outside the direct map: each table's physical range
 *    [pa, pa + length) must lie below the direct map's top (the highest end
 *    of a RAM, loader, runtime or ACPI region, as paging.c maps it), so a
 *    corrupt pointer is a refusal, never a kernel page fault;
 *  - a table is used only if its length covers its header and its bytes sum
 *    to zero (the RSDP: its first 20 bytes, and all 36 for revision 2);
 *  - MADT entries are walked by their own length field, and an entry whose
 *    length is below its type's size or runs past the table ends the walk;
 *  - fields are read byte by byte (ACPI packs them unaligned), so nothing
 *    depends on the compiler tolerating misaligned loads.
 * Regions of type ACPI_RECLAIM are never handed out by kmem, so the tables
 * stay valid for as long as this runs.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/paging.h"
#include "core/kprintf.h"

#define SDT_HEADER_LEN 36u
#define RSDP_V1_LEN    20u
#define RSDP_V2_LEN    36u
#define MADT_FIXED_LEN 44u /* header + local APIC address + flags */

/* FADT fields (ACPI 6.x, 5.2.9) */
#define FADT_PM_TMR_BLK   76u  /* 4 bytes, I/O port */
#define FADT_PM_TMR_LEN   91u  /* 1 byte, 4 when there is a timer */
#define FADT_FLAGS        112u /* 4 bytes */
#define FADT_X_PM_TMR_BLK 208u /* 12-byte generic address */
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define GAS_SPACE_IO 1u

#define MADT_IOAPIC     1u
#define MADT_ISO        2u
#define MADT_IOAPIC_LEN 12u
#define MADT_ISO_LEN    10u

/* Never trust a table claiming more than this: the MADT of a big server is
 * a few KiB; a huge length is corruption. */
#define ACPI_TABLE_MAX (1u << 20)

static uint64_t dm_top;

static uint64_t direct_map_top(const struct capos_boot_info *bi)
{
	/* Mirrors paging.c (without its 2 MiB round-up, so it can only be
	 * stricter): MMIO and reserved regions do not raise the top. */
	uint64_t top = 0;
	for (uint64_t i = 0; i < bi->mem_map_count && i < CAPOS_BOOT_MAX_REGIONS; i++) {
		const struct capos_mem_region *r = &bi->mem_map[i];
		if (r->type == CAPOS_MEM_MMIO || r->type == CAPOS_MEM_RESERVED)
			continue;
		uint64_t end = r->base + r->pages * PAGE_SIZE;
		if (end > top)
			top = end;
	}
	return top < bi->dm_size ? top : bi->dm_size;
}

/* The kernel address of [pa, pa + len), or NULL if any of it is unmapped. */
static const uint8_t *phys_range(uint64_t pa, uint64_t len)
{
	if (pa == 0 || len > dm_top || pa > dm_top - len)
		return NULL;
	return phys_to_virt(pa);
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int sums_to_zero(const uint8_t *p, uint64_t len)
{
	uint8_t sum = 0;
	for (uint64_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

static int sig_is(const uint8_t *p, const char *sig, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)sig[i])
			return 0;
	}
	return 1;
}

/* The validated table at pa (its whole length mapped and summed), or NULL. */
static const uint8_t *map_sdt(uint64_t pa, uint32_t *len_out)
{
	const uint8_t *h = phys_range(pa, SDT_HEADER_LEN);
	if (!h)
		return NULL;
	uint32_t len = rd32(h + 4);
	if (len < SDT_HEADER_LEN || len > ACPI_TABLE_MAX)
		return NULL;
	const uint8_t *t = phys_range(pa, len);
	if (!t || !sums_to_zero(t, len))
		return NULL;
	*len_out = len;
	return t;
}

static void parse_madt(const uint8_t *m, uint32_t len, struct acpi_madt_info *out)
{
	uint32_t dropped = 0;
	for (uint32_t off = MADT_FIXED_LEN; off + 2 <= len;) {
		uint8_t type = m[off], elen = m[off + 1];
		if (elen < 2 || off + elen > len)
			break; /* malformed: stop rather than guess */
		const uint8_t *e = m + off;
		if (type == MADT_IOAPIC && elen >= MADT_IOAPIC_LEN) {
			if (out->n_ioapics < ACPI_MAX_IOAPICS) {
				struct acpi_ioapic *io = &out->ioapics[out->n_ioapics++];
				io->id = e[2];
				io->mmio = rd32(e + 4);
				io->gsi_base = rd32(e + 8);
			} else {
				dropped++;
			}
		} else if (type == MADT_ISO && elen >= MADT_ISO_LEN && e[2] == 0) {
			/* bus 0 is ISA, the only bus an override may name */
			if (out->n_isos < ACPI_MAX_ISOS) {
				struct acpi_iso *o = &out->isos[out->n_isos++];
				o->source = e[3];
				o->gsi = rd32(e + 4);
				o->flags = rd16(e + 8);
			} else {
				dropped++;
			}
		}
		off += elen;
	}
	if (dropped)
		kprintf("acpi: MADT has %u more I/O APIC/override entries than fit; ignored\n",
			dropped);
}

static const char table_not_found[] = "not found";
static const char table_bad[] = "bad checksum or length";

/* The validated table with signature sig (whole length mapped and summed):
 * NULL with *why set when there is none or it fails its checks. */
static const uint8_t *find_table(const struct capos_boot_info *bi, const char *sig,
				 uint32_t *len_out, const char **why)
{
	dm_top = direct_map_top(bi);

	*why = NULL;
	if (!bi->acpi_rsdp_phys) {
		*why = "no RSDP from the firmware";
		return NULL;
	}
	const uint8_t *rsdp = phys_range(bi->acpi_rsdp_phys, RSDP_V1_LEN);
	if (!rsdp || !sig_is(rsdp, "RSD PTR ", 8)) {
		*why = "RSDP unreadable or without its signature";
		return NULL;
	}
	if (!sums_to_zero(rsdp, RSDP_V1_LEN)) {
		*why = "RSDP checksum";
		return NULL;
	}

	/* The XSDT (64-bit entries) only when both the loader and the RSDP
	 * itself say revision 2 and the extended part checks out. */
	uint64_t root_pa = rd32(rsdp + 16);
	uint32_t entry_size = 4;
	if (bi->acpi_rsdp_revision >= 2 && rsdp[15] >= 2) {
		const uint8_t *x = phys_range(bi->acpi_rsdp_phys, RSDP_V2_LEN);
		if (!x || !sums_to_zero(x, RSDP_V2_LEN)) {
			*why = "XSDP extended checksum";
			return NULL;
		}
		if (rd64(x + 24)) {
			root_pa = rd64(x + 24);
			entry_size = 8;
		}
	}

	uint32_t root_len;
	const uint8_t *root = map_sdt(root_pa, &root_len);
	if (!root) {
		*why = entry_size == 8 ? "XSDT unreadable or bad checksum" :
					 "RSDT unreadable or bad checksum";
		return NULL;
	}
	if (!sig_is(root, entry_size == 8 ? "XSDT" : "RSDT", 4)) {
		*why = "root table has the wrong signature";
		return NULL;
	}

	for (uint32_t off = SDT_HEADER_LEN; off + entry_size <= root_len; off += entry_size) {
		uint64_t pa = entry_size == 8 ? rd64(root + off) : rd32(root + off);
		const uint8_t *h = phys_range(pa, SDT_HEADER_LEN);
		if (!h || !sig_is(h, sig, 4))
			continue;
		const uint8_t *t = map_sdt(pa, len_out);
		if (!t)
			*why = table_bad;
		return t;
	}
	*why = table_not_found;
	return NULL;
}

const char *acpi_read_madt(const struct capos_boot_info *bi, struct acpi_madt_info *out)
{
	out->n_ioapics = 0;
	out->n_isos = 0;
	const char *why;
	uint32_t len;
	const uint8_t *madt = find_table(bi, "APIC", &len, &why);
	if (!madt) {
		if (why == table_not_found)
			return "no MADT";
		if (why == table_bad)
			return "MADT bad checksum or length";
		return why;
	}
	if (len < MADT_FIXED_LEN)
		return "MADT bad checksum or length";
	parse_madt(madt, len, out);
	return NULL;
}

const char *acpi_find_pm_timer(const struct capos_boot_info *bi, struct acpi_pm_timer *out)
{
	const char *why;
	uint32_t len;
	const uint8_t *f = find_table(bi, "FACP", &len, &why);
	if (!f)
		return why == table_not_found ? "no FADT" : why == table_bad ? "FADT bad checksum or length" : why;
	if (len < FADT_FLAGS + 4)
		return "FADT too short for the PM timer fields";
	uint32_t flags = rd32(f + FADT_FLAGS);
	uint64_t port = 0;
	if (len >= FADT_X_PM_TMR_BLK + 12 && f[FADT_X_PM_TMR_BLK] == GAS_SPACE_IO)
		port = rd64(f + FADT_X_PM_TMR_BLK + 4);
	if (!port && f[FADT_PM_TMR_LEN] == 4)
		port = rd32(f + FADT_PM_TMR_BLK);
	if (!port)
		return "no PM timer in the FADT";
	if (port > 0xfffcu)
		return "PM timer port out of range";
	out->port = (uint16_t)port;
	out->bits32 = (flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	return NULL;
}
