/*
 * capos-passwd - makes a PASSPHRASE verifier for a manifest's
 * BrokerPolicy principal (docs/servers/broker.md, "Adding a principal"):
 * a salted Argon2id hash in the standard encoding
 *   $argon2id$v=19$m=<KiB>,t=<passes>,p=1$<salt b64>$<hash b64>
 * with Debian's libargon2, the same library the broker verifies with.
 * The passphrase never appears in the manifest, only this line.
 *
 *   capos-passwd [-m KIB] [-t PASSES] [--salt HEX]
 *
 * The passphrase is read from the terminal without echo (asked twice), or
 * as the first line of standard input when that is not a terminal. The
 * salt is 16 random bytes (getrandom), or --salt (8-32 bytes in hex) for a
 * reproducible verifier in tests. Lanes and threads are always 1: the
 * broker runs single-threaded and the validator refuses anything else.
 * Exit status: 0, 1 on a refused input, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include <argon2.h>

#define PASS_MAX 127 /* the broker's credential bound is 128 with the NUL */
#define DEFAULT_M_KIB 2048
#define DEFAULT_T 2

static int usage(void)
{
	fprintf(stderr, "usage: capos-passwd [-m KIB] [-t PASSES] [--salt HEX]\n");
	return 2;
}

/* One line of at most PASS_MAX bytes, without its newline; -1 if none. */
static int read_line(FILE *f, char *buf, size_t n)
{
	if (!fgets(buf, (int)n, f))
		return -1;
	size_t l = strlen(buf);
	if (l && buf[l - 1] == '\n')
		buf[--l] = '\0';
	else if (!feof(f))
		return -2; /* longer than the buffer */
	return (int)l;
}

static int ask(const char *prompt, char *buf, size_t n)
{
	struct termios old, quiet;
	fprintf(stderr, "%s", prompt);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	int l = read_line(stdin, buf, n);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	return l;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v < lo || v > hi)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

static int parse_hex(const char *s, uint8_t *out, size_t *n, size_t max)
{
	size_t l = strlen(s);
	if (l % 2 || l / 2 < 8 || l / 2 > max)
		return 0;
	for (size_t i = 0; i < l / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return 0;
		out[i] = (uint8_t)v;
	}
	*n = l / 2;
	return 1;
}

int main(int argc, char **argv)
{
	uint32_t m = DEFAULT_M_KIB, t = DEFAULT_T;
	uint8_t salt[32];
	size_t salt_len = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
			if (!parse_u32(argv[++i], 8, 1u << 20, &m))
				return usage();
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			if (!parse_u32(argv[++i], 1, 64, &t))
				return usage();
		} else if (strcmp(argv[i], "--salt") == 0 && i + 1 < argc) {
			if (!parse_hex(argv[++i], salt, &salt_len, sizeof(salt)))
				return usage();
		} else {
			return usage();
		}
	}
	char pass[PASS_MAX + 2], again[PASS_MAX + 2];
	int l;
	if (isatty(STDIN_FILENO)) {
		l = ask("passphrase: ", pass, sizeof(pass));
		if (l > 0 && (ask("again: ", again, sizeof(again)) != l || strcmp(pass, again) != 0)) {
			fprintf(stderr, "capos-passwd: the two do not match\n");
			return 1;
		}
	} else {
		l = read_line(stdin, pass, sizeof(pass));
	}
	if (l <= 0 || l > PASS_MAX) {
		fprintf(stderr, "capos-passwd: a passphrase is 1-%d bytes\n", PASS_MAX);
		return 1;
	}
	if (salt_len == 0) {
		salt_len = 16;
		if (getrandom(salt, salt_len, 0) != (ssize_t)salt_len) {
			fprintf(stderr, "capos-passwd: no random salt: %s\n", strerror(errno));
			return 1;
		}
	}
	char out[160];
	int rc = argon2id_hash_encoded(t, m, 1, pass, (size_t)l, salt, salt_len, 32, out,
				       sizeof(out));
	memset(pass, 0, sizeof(pass));
	memset(again, 0, sizeof(again));
	if (rc != ARGON2_OK) {
		fprintf(stderr, "capos-passwd: %s\n", argon2_error_message(rc));
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
