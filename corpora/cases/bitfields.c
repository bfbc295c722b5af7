/* Feature: bitfields — kflag=1 member offsets with bitfield_size, signed and
 * unsigned bitfields, zero-width separators, bitfields that cross a storage
 * unit (a 32-bit unit and a 64-bit unit), enum bitfields, mixed with plain
 * members. */
enum bf_color { BF_RED, BF_GREEN, BF_BLUE };

struct bf_basic {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	unsigned int : 0;
	unsigned int d : 1;
	char plain;
	unsigned short e : 9;
};

struct bf_cross {
	unsigned char x;
	unsigned long long wide : 60;	/* crosses a 32-bit storage unit */
	unsigned int y : 30;
	unsigned int z : 4;		/* does not fit after y: next unit */
	long long neg : 33;
	enum bf_color color : 2;
};

struct __attribute__((packed)) bf_packed {
	unsigned char tag;
	unsigned int straddle : 20;	/* starts at bit 8 in a packed struct */
	unsigned int rest : 12;
};

struct bf_basic g_bf_basic;
struct bf_cross g_bf_cross;
struct bf_packed g_bf_packed;

int bitfields_read(struct bf_cross *p)
{
	return p->y + p->z + (int)p->wide;
}
