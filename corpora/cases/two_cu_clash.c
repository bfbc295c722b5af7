/* Feature: same-named different types in two compilation units — this unit and
 * units/two_cu_clash_b.c each define a different 'struct clash' (and a different typedef
 * 'clash_t'), linked with `ld -r` into one object.
 * Expect: compilers emit one .BTF per unit, so the linked object's .BTF is a two-member
 * archive, each member with its own 'struct clash'; pahole (DWARF of both CUs, one BTF,
 * deduplicated) keeps both 'struct clash' apart: two STRUCTs of that name, never merged. */
struct clash { int a; char b; };
typedef struct clash clash_t;

struct clash g_clash_a;
clash_t *g_clash_a_ptr;

int two_cu_clash_a(struct clash *c)
{
	return c->a + c->b;
}
