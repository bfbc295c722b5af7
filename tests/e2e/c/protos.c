/* Dump check: every shape of function type btf_dump and bpftool print — global, static
 * and extern FUNCs, named and unnamed parameters, variadic and parameterless prototypes,
 * pointers to functions returning pointers to functions, arrays of function pointers,
 * const/volatile/restrict parameters, typedef'd prototypes. */
struct pr_ctx { int v; };
typedef int pr_handler(struct pr_ctx *ctx, unsigned long flags);
typedef pr_handler *pr_handler_ptr;
typedef pr_handler_ptr (*pr_lookup)(const char *name, int len);

struct pr_ops {
	pr_handler_ptr handlers[4];
	pr_lookup lookup;
	void (*log)(const char *restrict fmt, ...);
	int (*(*make)(void))(volatile int *);
	long (*noarg)(void);
};

struct pr_ops g_pr_ops;
pr_handler_ptr g_pr_one;

extern int pr_extern_fn(int a, ...);

static __attribute__((noinline)) int pr_static_fn(struct pr_ctx *ctx, const int k)
{
	return ctx->v + k;
}

int pr_global_fn(struct pr_ctx *ctx, unsigned long flags)
{
	return pr_static_fn(ctx, (int)flags) + pr_extern_fn(1, 2) + (g_pr_ops.lookup != 0);
}

void pr_void_fn(void)
{
	g_pr_one = 0;
}
