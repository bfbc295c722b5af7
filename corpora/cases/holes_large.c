/* Feature: large structs with holes — alignment holes after char/short members, a hole in
 * front of an over-aligned member, tail padding, a 1 MiB struct whose last members sit at
 * bit offsets above 2^23, and a struct embedding it (offsets past 8 Mi bits).
 * Expect: STRUCT sizes and bit offsets equal across producers; holes are only visible as
 * gaps between member offsets (BTF has no padding records). */
struct hl_holes {
	char a;		/* hole of 7 bytes */
	long b;
	short c;	/* hole of 2 */
	int d;
	char e;		/* hole of 15 before f */
	long long f __attribute__((aligned(16)));
	char g;		/* tail padding of 15 */
};

struct hl_big {
	char head;
	unsigned long data[131072];	/* 1 MiB */
	int after;
	char tail;
};

struct hl_outer {
	struct hl_holes h;
	struct hl_big big;
	short last;
};

struct hl_outer g_hl_outer;

int holes_large_tail(struct hl_outer *o)
{
	return o->big.tail + o->last + o->h.g;
}
