/* Feature: every BTF kind in one program — INT, PTR, ARRAY, STRUCT, UNION,
 * ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FUNC_PROTO, VAR,
 * DATASEC, FLOAT, DECL_TAG and TYPE_TAG (clang), ENUM64 (producers that
 * support it). */
#if defined(__has_attribute)
#if __has_attribute(btf_decl_tag)
#define AK_DTAG(x) __attribute__((btf_decl_tag(x)))
#endif
#if __has_attribute(btf_type_tag)
#define AK_TTAG(x) __attribute__((btf_type_tag(x)))
#endif
#endif
#ifndef AK_DTAG
#define AK_DTAG(x)
#endif
#ifndef AK_TTAG
#define AK_TTAG(x)
#endif

struct ak_fwd;
enum ak_e32 { AK_A = -1, AK_B = 1 };
enum ak_e64 { AK_BIG = 0x1000000000ULL };
typedef unsigned long ak_ulong;

struct ak_all {
	int i;
	int *p;
	char arr[5];
	union { short s; unsigned char c; } u;
	enum ak_e32 e;
	enum ak_e64 e64;
	struct ak_fwd *fwd;
	ak_ulong td;
	volatile int vol;
	const int con;
	int *restrict res;
	int (*fn)(int, char);
	float f;
	int AK_TTAG("tagged") *tp;
	int flag : 1;
} AK_DTAG("ak_struct");

struct ak_all g_ak_all AK_DTAG("ak_var");
static double s_ak_static;

int AK_DTAG("ak_func") all_kinds_fn(struct ak_all *a, double d)
{
	s_ak_static = d;	/* a move only: BPF has no float arithmetic */
	return a->i + a->arr[1];
}
