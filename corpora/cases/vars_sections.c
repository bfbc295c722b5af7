/* Feature: VAR/DATASEC fixups libbpf makes from the ELF symbol table — several global,
 * static and hidden variables per section (.data, .bss, .rodata, custom .data.* /
 * .rodata.* / .bss.* sections) so that VAR offsets are non-zero, arrays and structs of
 * odd sizes (DATASEC size from the ELF section, entry sizes from the VAR types).
 * clang leaves every DATASEC size and every global VAR offset 0 (static VAR offsets come
 * from the relocation addend); libbpf fills them in and downgrades hidden globals to
 * static. gcc/bpf-gcc 12 leave static VAR offsets 0 too, which libbpf does not fix. */
#define SEC(n) __attribute__((section(n), used))
#define HIDDEN __attribute__((visibility("hidden")))

struct vs_pair { int a; short b; char c; };

/* .data */
int vs_counter = 1;
static long vs_static_data = 2;
HIDDEN int vs_hidden_data = 3;
char vs_name[11] = "btfcheck";
static struct vs_pair vs_static_pair = { 4, 5, 6 };

/* .bss */
unsigned long vs_zero;
static int vs_static_zero[3];
HIDDEN short vs_hidden_zero;

/* .rodata */
const int vs_ro_limit = 100;
const char vs_ro_tag[7] = "vstag";

/* custom sections, SEC()-style */
int vs_cfg_a SEC(".data.vs_cfg") = 7;
static int vs_cfg_b SEC(".data.vs_cfg") = 8;
long vs_cfg_c SEC(".data.vs_cfg") = 9;
const struct vs_pair vs_ro_pair SEC(".rodata.vs_ro") = { 10, 11, 12 };
int vs_extra_bss[5] SEC(".bss.vs_extra");

/* Taking the address keeps clang's globalopt from splitting the static struct into
 * per-field globals (see vars_sra.c for what happens then). */
struct vs_pair *vs_pair_ptr(void)
{
	return &vs_static_pair;
}

int vs_use(int x)
{
	vs_static_data += x;
	vs_static_zero[x & 1] += x;
	vs_static_pair.a += x;
	vs_cfg_b += x;
	vs_hidden_zero += (short)x;
	return vs_counter + vs_hidden_data + vs_name[x & 7] + (int)vs_zero + vs_ro_limit +
	       vs_ro_tag[x & 3] + vs_cfg_a + (int)vs_cfg_c + vs_ro_pair.b + vs_extra_bss[x & 3] +
	       (int)vs_static_data + vs_static_pair.c;
}
