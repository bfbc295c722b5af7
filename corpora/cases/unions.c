/* Feature: UNION kind — named unions, unions of structs and arrays, union
 * sizes larger than any single member because of alignment, unions with
 * bitfields (kflag=1), nested unions. */
union un_value {
	long l;
	double d;
	char bytes[12];
	struct { int lo, hi; } parts;
};

union un_bits {
	unsigned int all;
	struct { unsigned int f1 : 4, f2 : 12, f3 : 16; } f;
	unsigned char b : 3;
};

struct un_tagged {
	int tag;
	union un_value v;
	union { union un_bits bits; short s; } nested;
};

union un_value g_un_value;
union un_bits g_un_bits;
struct un_tagged g_un_tagged;

long unions_get(struct un_tagged *t)
{
	return t->tag ? t->v.l : t->nested.bits.f.f2;
}
