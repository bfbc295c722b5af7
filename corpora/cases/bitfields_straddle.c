/* Feature: bitfields across storage units — a packed struct whose bitfields straddle
 * byte, 16-bit, 32-bit and 64-bit boundaries (bit offsets 7, 13, 30, 62), a non-packed
 * struct where a field that does not fit starts the next unit (a hole of unused bits), and
 * bitfields of every underlying width (char, short, int, long long).
 * Expect: kflag=1 STRUCTs whose members carry bitfield_size and exact bit offsets; the same
 * offsets from every producer (the layout is the ABI's, identical on bpf and x86-64). */
struct __attribute__((packed)) bs_packed {
	unsigned char a : 7;
	unsigned short b : 6;		/* bits 7..12: crosses the first byte */
	unsigned int c : 17;		/* bits 13..29: crosses 16 bits */
	unsigned long long d : 32;	/* bits 30..61: crosses 32 bits */
	unsigned long long e : 5;	/* bits 62..66: crosses 64 bits */
	unsigned char tail;
};

struct bs_units {
	unsigned char x : 5;
	unsigned char y : 5;		/* does not fit in x's byte: starts at bit 8 */
	unsigned short s : 12;
	unsigned int i : 31;
	unsigned int j : 2;		/* next 32-bit unit */
	long long w : 63;
	long long v : 2;		/* next 64-bit unit */
};

struct bs_packed g_bs_packed;
struct bs_units g_bs_units;

int bitfields_straddle_sum(struct bs_packed *p, struct bs_units *u)
{
	return p->c + p->e + u->j + (int)u->v;
}
