/* Feature: _Bool and __int128 layout — _Bool members, _Bool bitfields, an array of _Bool,
 * __int128 and unsigned __int128 members whose 16-byte alignment opens a hole, a pointer
 * to __int128 (only where the target defines __SIZEOF_INT128__).
 * Expect: INT '_Bool' size 1 encoding BOOL (1 bit); INT '__int128' size 16 SIGNED and
 * 'unsigned __int128' (gcc: '__int128 unsigned') size 16. __int128 is 16-byte aligned by
 * clang -target bpf and on x86-64, but 8-byte aligned by bpf-gcc 12, so struct bi_wide is
 * 64 bytes everywhere except bpf-gcc (48): a real BPF ABI disagreement between compilers. */
struct bi_flags {
	_Bool on;
	_Bool bit_a : 1;
	_Bool bit_b : 1;
	_Bool list[3];
};

#if defined(__SIZEOF_INT128__)
struct bi_wide {
	char c;
	__int128 s;
	unsigned __int128 u;
	__int128 *p;
};
struct bi_wide g_bi_wide;
#endif

struct bi_flags g_bi_flags;

int bool_int128_get(struct bi_flags *f)
{
	return f->on + f->bit_b + f->list[2];
}
