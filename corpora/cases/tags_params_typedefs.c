/* Feature: BTF tags on parameters and typedefs — btf_decl_tag on a typedef, on two
 * parameters of one function (component_idx 0 and 2), two tags on one parameter, and a
 * btf_type_tag on the pointee of a typedef'd pointer and of a parameter (clang only; the
 * macros expand to nothing where the attributes do not exist).
 * Expect: clang emits DECL_TAG (component_idx -1 for the typedef, N for parameter N) and
 * TYPE_TAG -> INT under the PTR; gcc 12 and pahole 1.24 emit neither (the gcc-no-btf-tags
 * difference). */
#if defined(__has_attribute)
#if __has_attribute(btf_decl_tag)
#define DTAG(x) __attribute__((btf_decl_tag(x)))
#endif
#if __has_attribute(btf_type_tag)
#define TTAG(x) __attribute__((btf_type_tag(x)))
#endif
#endif
#ifndef DTAG
#define DTAG(x)
#endif
#ifndef TTAG
#define TTAG(x)
#endif

typedef int DTAG("typedef_tag") tpt_id_t;
typedef char TTAG("user") *tpt_user_str;

struct tpt_req { tpt_id_t id; tpt_user_str name; };
struct tpt_req g_tpt_req;

int tags_params_typedefs_fn(int DTAG("p0") a, long b,
			    int TTAG("user") *DTAG("p2") DTAG("p2b") c)
{
	return a + (int)b + *c;
}
