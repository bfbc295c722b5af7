/* Feature: TYPE_TAG — btf_type_tag on pointer targets (__user, __rcu style),
 * chains of several tags, tags in struct members and prototypes (clang only;
 * guarded so gcc compiles the untagged form). */
#if defined(__has_attribute)
#if __has_attribute(btf_type_tag)
#define TTAG(x) __attribute__((btf_type_tag(x)))
#endif
#endif
#ifndef TTAG
#define TTAG(x)
#endif

#define __user TTAG("user")
#define __rcu TTAG("rcu")

struct tt_node {
	struct tt_node __rcu *next;
	char __user *buf;
	int TTAG("a") TTAG("b") *two_tags;
	const int __user *cptr;
};

struct tt_node g_tt_node;
int __user *g_tt_uptr;

long type_tag_copy(void __user *dst, const void __user *src, unsigned long n)
{
	return (long)n + (dst != src);
}
