/* Dump check: DECL_TAG on every target (struct, member, union member, typedef, variable,
 * function, parameter), TYPE_TAG chains on pointers (clang only; gcc compiles the
 * untagged form), and VAR/DATASEC entries from initialized, zero, read-only, static and
 * custom-section globals, as bpftool annotates them "(VAR 'name')". */
#if defined(__has_attribute)
#if __has_attribute(btf_decl_tag)
#define TS_D(x) __attribute__((btf_decl_tag(x)))
#endif
#if __has_attribute(btf_type_tag)
#define TS_T(x) __attribute__((btf_type_tag(x)))
#endif
#endif
#ifndef TS_D
#define TS_D(x)
#endif
#ifndef TS_T
#define TS_T(x)
#endif

struct ts_obj {
	int id TS_D("id_tag");
	char TS_T("user") *name;
	int TS_T("a") TS_T("b") TS_T("c") *three;
	union { long l TS_D("in_union"); void *p; } u;
} TS_D("obj_tag") TS_D("second_tag");

typedef struct ts_obj ts_obj_t TS_D("typedef_tag");

ts_obj_t g_ts_obj TS_D("var_tag") = { 1 };
int g_ts_zero;
const long g_ts_ro = 3;
static int s_ts_static = 5;
unsigned char g_ts_custom[3] __attribute__((section("ts_custom"), used));

int TS_D("func_tag") ts_fn(ts_obj_t *o TS_D("param_tag"), int x)
{
	s_ts_static += x;
	return o->id + g_ts_zero + (int)g_ts_ro + s_ts_static;
}
