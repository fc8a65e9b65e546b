/*
 * avatar.c - the shipped avatar catalog (original ASCII art) and the
 * principal -> avatar choice: FNV-1a 64 over the principal's bytes, mod the
 * catalog size. Changing the catalog's order or size reshuffles who gets
 * what; append with care.
 */
#include "avatar.h"

static const struct avatar catalog[] = {
	{ "cat", 3, { " /\\_/\\", "( o.o )", " > ^ <" } },
	{ "owl", 4, { " ,___,", " (O,O)", " /)  )", "--\"--\"--" } },
	{ "robot", 4, { " [o_o]", " /|_|\\", "  | |", " _| |_" } },
	{ "fish", 3, { "   ><>", "><(((o>", "     ><>" } },
	{ "ghost", 4, { "  .-.", " (o o)", " | O |", " '~~~'" } },
	{ "bear", 3, { "(\\___/)", "( o o )", "(  =  )" } },
	{ "rabbit", 3, { "(\\_/)", "(='.')", "(\")(\")" } },
	{ "penguin", 3, { "  (o>", "  //\\", "  V_/_" } },
	{ "frog", 4, { "  @..@", " (----)", "( >__< )", " ^^  ^^" } },
	{ "duck", 4, { "   __", " <(o )___", "  ( ._> /", "   `---'" } },
};

#define CATALOG_SIZE (sizeof(catalog) / sizeof(catalog[0]))

size_t avatar_count(void)
{
	return CATALOG_SIZE;
}

const struct avatar *avatar_at(size_t i)
{
	return i < CATALOG_SIZE ? &catalog[i] : NULL;
}

uint64_t avatar_hash(const char *principal)
{
	uint64_t h = 0xcbf29ce484222325ull;
	if (principal)
		for (const unsigned char *p = (const unsigned char *)principal; *p; p++) {
			h ^= *p;
			h *= 0x100000001b3ull;
		}
	return h;
}

const struct avatar *avatar_for(const char *principal)
{
	return &catalog[avatar_hash(principal) % CATALOG_SIZE];
}
