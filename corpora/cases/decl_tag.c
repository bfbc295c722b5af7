/* Feature: DECL_TAG — btf_decl_tag on structs, members (component_idx),
 * typedefs, global variables, functions and function parameters (clang
 * only; guarded so gcc compiles the untagged form). */
#if defined(__has_attribute)
#if __has_attribute(btf_decl_tag)
#define DTAG(x) __attribute__((btf_decl_tag(x)))
#endif
#endif
#ifndef DTAG
#define DTAG(x)
#endif

struct dt_s {
	int a DTAG("member_a");
	long b DTAG("member_b") DTAG("second");
} DTAG("struct_tag");

union dt_u {
	int i;
	char c DTAG("union_member");
} DTAG("union_tag");

typedef int dt_int DTAG("typedef_tag");

struct dt_s g_dt_s DTAG("var_tag");
union dt_u g_dt_u;
dt_int g_dt_int;

int DTAG("func_tag") decl_tag_fn(struct dt_s *p DTAG("param_tag"), int x)
{
	return p->a + x + g_dt_int;
}
