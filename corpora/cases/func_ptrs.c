/* Feature: FUNC and FUNC_PROTO — global functions with named params,
 * function pointers (PTR -> FUNC_PROTO), pointer to function returning
 * pointer to function, callbacks in structs, void return, static vs global
 * linkage. */
struct fp_ctx { int v; };

typedef int (*fp_cb)(struct fp_ctx *ctx, int arg);
typedef fp_cb (*fp_factory)(int which);

struct fp_table {
	fp_cb cbs[4];
	fp_factory make;
	void (*notify)(const struct fp_ctx *);
	int (*(*nested)(long))(char);
};

struct fp_table g_fp_table;
fp_cb g_fp_cb;

static __attribute__((noinline)) int fp_static_helper(struct fp_ctx *ctx, int arg)
{
	return ctx->v + arg;
}

int fp_global(struct fp_ctx *ctx, int arg)
{
	return fp_static_helper(ctx, arg) + (g_fp_table.cbs[0] != 0);
}

void fp_void_ret(struct fp_ctx *ctx)
{
	ctx->v = 0;
}
