/* Feature: several static (file-local) variables per section next to globals, all of
 * int/long types. Static VARs keep the DATASEC offsets the compiler wrote: libbpf only
 * matches non-static VARs to ELF symbols. clang writes the right offsets (the .BTF
 * relocation addend against the section symbol); gcc/bpf-gcc 12 write 0 for every VAR, so
 * after libbpf's fixups the static ones still sit at offset 0 and overlap their
 * neighbours, which the kernel rejects. */
static int st_first = 1;
static long st_second = 2;
int st_global = 3;
static int st_third = 4;

static long st_zero_a;
static int st_zero_b[2];
long st_zero_global;

long st_use(int x)
{
	st_first += x;
	st_second += x;
	st_third -= x;
	st_zero_a += x;
	st_zero_b[x & 1] += x;
	return st_first + st_second + st_global + st_third + st_zero_a + st_zero_b[0] +
	       st_zero_global;
}
