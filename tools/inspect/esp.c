/*
 * esp.c - the ESP of a capOS disk image (codegen/mkimage.py: GPT with
 * 512-byte sectors, one EFI System Partition, FAT inside).
 *
 * The GPT is parsed here (primary header and entry array, both CRCs checked)
 * so a damaged partition table gets its own message; the FAT inside is read
 * by mtools (`mtype -i IMG@@OFFSET ::/capos/boot.pkg`), run without a shell.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esp.h"
#include "lib/crc32.h"

#define SECTOR        512u
#define GPT_SIG       "EFI PART"
#define PKG_MAX_BYTES (1ull << 30) /* far above any real package */

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B, as stored (mixed endian). */
static const uint8_t esp_type[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int esp_is_gpt(const uint8_t *head, size_t len)
{
	return len >= SECTOR + 8 && memcmp(head + SECTOR, GPT_SIG, 8) == 0;
}

static int read_at(FILE *f, uint64_t off, void *buf, size_t n)
{
	if (fseeko(f, (off_t)off, SEEK_SET) != 0)
		return -1;
	return fread(buf, 1, n, f) == n ? 0 : -1;
}

int esp_find(const char *path, uint64_t file_size, uint64_t *offset,
	     char *err, size_t errlen)
{
	uint8_t hdr[SECTOR];
	uint8_t *ents = NULL;
	uint64_t hsize, entries_lba, count, esize, i;
	uint32_t crc;
	FILE *f;
	int rc = -1;

	f = fopen(path, "rb");
	if (f == NULL)
		return fail(err, errlen, "cannot open: %s", strerror(errno));
	if (read_at(f, SECTOR, hdr, sizeof hdr) != 0) {
		fail(err, errlen, "the image is too short for a GPT header");
		goto out;
	}
	if (memcmp(hdr, GPT_SIG, 8) != 0) {
		fail(err, errlen, "not a GPT disk image (no \"EFI PART\" signature at byte 512)");
		goto out;
	}
	hsize = rd(hdr + 12, 4);
	if (hsize < 92 || hsize > SECTOR) {
		fail(err, errlen, "the GPT header size %llu is invalid",
		     (unsigned long long)hsize);
		goto out;
	}
	crc = (uint32_t)rd(hdr + 16, 4);
	memset(hdr + 16, 0, 4);
	if (crc32_update(0, hdr, (size_t)hsize) != crc) {
		fail(err, errlen, "the GPT header checksum does not match (the partition table is damaged)");
		goto out;
	}
	entries_lba = rd(hdr + 72, 8);
	count = rd(hdr + 80, 4);
	esize = rd(hdr + 84, 4);
	if (count == 0 || count > 1024 || esize < 128 || esize > 1024 ||
	    esize % 8 != 0) {
		fail(err, errlen, "the GPT entry array (%llu entries of %llu bytes) is invalid",
		     (unsigned long long)count, (unsigned long long)esize);
		goto out;
	}
	if (entries_lba > file_size / SECTOR ||
	    count * esize > file_size - entries_lba * SECTOR) {
		fail(err, errlen, "the GPT entry array lies beyond the end of the image (truncated?)");
		goto out;
	}
	ents = malloc((size_t)(count * esize));
	if (ents == NULL) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	if (read_at(f, entries_lba * SECTOR, ents, (size_t)(count * esize)) != 0) {
		fail(err, errlen, "cannot read the GPT entry array");
		goto out;
	}
	if (crc32_update(0, ents, (size_t)(count * esize)) != rd(hdr + 88, 4)) {
		fail(err, errlen, "the GPT entry array checksum does not match (the partition table is damaged)");
		goto out;
	}
	for (i = 0; i < count; i++) {
		const uint8_t *e = ents + i * esize;
		uint64_t first = rd(e + 32, 8), last = rd(e + 40, 8);

		if (memcmp(e, esp_type, sizeof esp_type) != 0)
			continue;
		if (last < first || first > UINT64_MAX / SECTOR - 1 ||
		    last >= file_size / SECTOR) {
			fail(err, errlen, "the EFI System Partition (LBA %llu-%llu) does not fit in the image (%llu bytes; truncated?)",
			     (unsigned long long)first, (unsigned long long)last,
			     (unsigned long long)file_size);
			goto out;
		}
		*offset = first * SECTOR;
		rc = 0;
		goto out;
	}
	fail(err, errlen, "the GPT has no EFI System Partition");
out:
	free(ents);
	fclose(f);
	return rc;
}

/* Reads fd to EOF into a growing buffer, at most `max` bytes. */
static int slurp(int fd, uint8_t **buf, size_t *len, size_t max)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = malloc(cap);

	if (b == NULL)
		return -1;
	for (;;) {
		ssize_t r;

		if (n == cap) {
			uint8_t *nb;

			if (cap >= max) {
				free(b);
				errno = EFBIG;
				return -1;
			}
			cap *= 2;
			nb = realloc(b, cap);
			if (nb == NULL) {
				free(b);
				return -1;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* The child's exec failure is reported on stderr with this prefix. */
#define EXEC_FAILED "capos-inspect-exec-failed:"

int esp_read_pkg(const char *path, uint64_t offset, uint8_t **buf,
		 size_t *len, char *err, size_t errlen)
{
	int out[2], errp[2], status;
	char target[4096];
	uint8_t *data = NULL, *msg = NULL;
	size_t dlen = 0, mlen = 0;
	int rd_rc, rm_rc;
	pid_t pid;

	if ((size_t)snprintf(target, sizeof target, "%s@@%llu", path,
			     (unsigned long long)offset) >= sizeof target)
		return fail(err, errlen, "the image path is too long");
	if (pipe(out) != 0)
		return fail(err, errlen, "pipe: %s", strerror(errno));
	if (pipe(errp) != 0) {
		close(out[0]);
		close(out[1]);
		return fail(err, errlen, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		return fail(err, errlen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		char *argv[] = { "mtype", "-i", target, "::/capos/boot.pkg", NULL };

		dup2(out[1], 1);
		dup2(errp[1], 2);
		close(out[0]);
		close(out[1]);
		close(errp[0]);
		close(errp[1]);
		setenv("MTOOLS_SKIP_CHECK", "1", 1);
		unsetenv("MTOOLSRC");
		execvp(argv[0], argv);
		dprintf(2, EXEC_FAILED "%d", errno);
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	/* mtype's messages are a line or two: far below a pipe's buffer, so
	 * reading stdout to the end first cannot deadlock. */
	rd_rc = slurp(out[0], &data, &dlen, PKG_MAX_BYTES);
	rm_rc = slurp(errp[0], &msg, &mlen, 1 << 16);
	close(out[0]);
	close(errp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (rm_rc == 0) {
		/* Make the message one printable line. */
		size_t i;

		while (mlen > 0 && (msg[mlen - 1] == '\n' || msg[mlen - 1] == '\r'))
			mlen--;
		for (i = 0; i < mlen; i++) {
			if (msg[i] == '\n' || msg[i] == '\r' || msg[i] == '\t')
				msg[i] = ' ';
		}
	}
	if (rm_rc == 0 && mlen >= sizeof EXEC_FAILED - 1 &&
	    memcmp(msg, EXEC_FAILED, sizeof EXEC_FAILED - 1) == 0) {
		int e = atoi((const char *)msg + sizeof EXEC_FAILED - 1);

		if (e == ENOENT)
			fail(err, errlen, "mtype not found: install mtools to read disk images (or pass the boot.pkg itself)");
		else
			fail(err, errlen, "cannot run mtype: %s", strerror(e));
		goto bad;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fail(err, errlen, "mtype could not read \\capos\\boot.pkg from the ESP at byte %llu (%s %d)%s%.*s",
		     (unsigned long long)offset,
		     WIFEXITED(status) ? "exit status" : "signal",
		     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
		     rm_rc == 0 && mlen > 0 ? ": " : "",
		     rm_rc == 0 ? (int)(mlen > 300 ? 300 : mlen) : 0,
		     rm_rc == 0 && msg != NULL ? (const char *)msg : "");
		goto bad;
	}
	if (rd_rc != 0) {
		fail(err, errlen, "cannot read mtype's output: %s", strerror(errno));
		goto bad;
	}
	free(msg);
	*buf = data;
	*len = dlen;
	return 0;
bad:
	free(msg);
	free(data);
	return -1;
}
