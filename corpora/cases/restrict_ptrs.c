/* Feature: restrict — restrict-qualified pointer parameters (one, two and pointer-to-
 * restrict-pointer levels), a restrict pointer member, a typedef of a restrict pointer,
 * and 'const int *restrict'.
 * Expect: RESTRICT above PTR (RESTRICT -> PTR -> ...) in members, the typedef and the
 * global; every producer drops the top-level restrict of parameters in FUNC_PROTO (a
 * qualifier of the parameter object, not of the function type) but keeps the inner ones. */
typedef int *restrict rp_int_rp;

struct rp_buf {
	char *restrict data;
	rp_int_rp idx;
};

struct rp_buf g_rp_buf;
int *restrict *g_rp_pp;

int restrict_ptrs_copy(int *restrict dst, const int *restrict src, char *restrict *restrict names)
{
	*dst = *src;
	return names[0][0];
}
