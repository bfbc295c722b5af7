/* Feature: const/volatile on pointers vs pointees — 'const int *' (CONST below PTR),
 * 'int *const' (CONST above PTR), 'const int *const', 'volatile int *volatile', const at
 * each of three pointer levels, 'const volatile' on both sides, in globals and members.
 * Expect: the qualifier sits exactly where C puts it: PTR -> CONST -> INT vs CONST -> PTR
 * -> INT; const volatile is CONST -> VOLATILE or VOLATILE -> CONST depending on the
 * producer (the type-tag-order rule makes them one). */
const int *g_cvp_ptr_to_const;
int *const g_cvp_const_ptr = 0;
const int *const g_cvp_const_both = 0;
volatile int *volatile g_cvp_vol_both;
const char *const *const *g_cvp_levels;
const volatile long *const volatile g_cvp_cv_both = 0;

struct cvp_members {
	const int *a;
	int *const b;
	volatile char *volatile c;
	const void *const *d;
};

struct cvp_members g_cvp_members;

int cv_pointers_read(const struct cvp_members *m)
{
	return *m->a + *m->b;
}
