/*
 * check_init - init's manifest checker (servers/init/manifest_check.c,
 * with the generated manifest_rules.c) run on the host, on one binary
 * capos.System, the way init runs it at boot: nanopb decode, then
 * init_check_manifest against a boot package holding the given programs.
 *
 *   check_init MANIFEST.bin [NAME=PAGES ...]
 *
 * NAME=PAGES: a program the package holds and the pages it loads (what
 * init's binary_pages reads from the ELF); any other name is missing.
 * Prints one line and exits:
 *   accepted                    0
 *   refused RULE: why           1   (RULE: manifest_rule_names, the code
 *                                    codegen/manifest.py tags with)
 *   usage or I/O error          2
 * A decode failure is reported as rule `bounds`: a well-formed encoding
 * fails nanopb's decode only on a string or list over its bound.
 * Driven by tests/manifest/check_init.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pb_decode.h>

#include "manifest_check.h"

#define MAX_PROGRAMS 64

static struct {
	const char *name;
	int pages;
} programs[MAX_PROGRAMS];
static int nprograms;

static int binary_pages(const char *name)
{
	for (int i = 0; i < nprograms; i++)
		if (!strcmp(programs[i].name, name))
			return programs[i].pages;
	return -1;
}

static capos_System sys; /* ~31 KiB */
static unsigned char buf[1 << 16];

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: check_init MANIFEST.bin [NAME=PAGES ...]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i] || nprograms == MAX_PROGRAMS) {
			fprintf(stderr, "check_init: '%s' is not NAME=PAGES\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		programs[nprograms].name = argv[i];
		programs[nprograms].pages = atoi(eq + 1);
		nprograms++;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size_t n = fread(buf, 1, sizeof(buf), f);
	int big = !feof(f);
	fclose(f);
	if (big) {
		fprintf(stderr, "check_init: %s is larger than %zu bytes\n", argv[1], sizeof(buf));
		return 2;
	}
	pb_istream_t in = pb_istream_from_buffer(buf, n);
	if (!pb_decode(&in, capos_System_fields, &sys)) {
		printf("refused %s: %zu bytes do not decode as capos.System (%s)\n",
		       manifest_rule_names[MANIFEST_RULE_BOUNDS], n, PB_GET_ERROR(&in));
		return 1;
	}
	char why[256];
	int rule = init_check_manifest(&sys, binary_pages, why, sizeof(why));
	if (rule == MANIFEST_RULE_OK) {
		printf("accepted\n");
		return 0;
	}
	if (rule < 0 || (unsigned)rule >= MANIFEST_N_RULES) {
		printf("refused with no rule code (%d): %s\n", rule, why);
		return 1;
	}
	printf("refused %s: %s\n", manifest_rule_names[rule], why);
	return 1;
}
