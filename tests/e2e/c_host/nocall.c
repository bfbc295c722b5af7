/* clang -O2 (DeadArgumentElimination, clang >= 15 or so) rewrites the static functions
 * whose callers are all known and marks them DW_CC_nocall; pahole master's true_signature
 * describes them as they are called:
 *   drop_unused(x, unused, y) -> (x, y)      'unused' has no location
 *   const_arg(x, mode)        -> (x)         'mode' is always 3 (DW_AT_const_value)
 *   use_second(p, k)          -> (p__b, k)   only p.b is passed, in rdi
 *   use_first(k, p)           -> (k, p__a)   only p.a is passed, in rsi
 *   big_unused(b, unused, k)  -> (b, k)      b is passed in memory (DW_OP_fbreg)
 *   both_halves(p), keep(x, unused)          unchanged (no DW_CC_nocall) */
struct pair { long a, b; };
struct big { long a, b, c; };

__attribute__((noinline)) static int drop_unused(int x, int unused, int y)
{
	return x * y + 3;
}

__attribute__((noinline)) static long use_second(struct pair p, int k)
{
	return p.b * k;
}

__attribute__((noinline)) static long use_first(int k, struct pair p)
{
	return p.a + k;
}

__attribute__((noinline)) static int const_arg(int x, int mode)
{
	return mode == 3 ? x * 7 : x;
}

__attribute__((noinline)) static long big_unused(struct big b, int unused, int k)
{
	return b.a + b.c + k;
}

__attribute__((noinline)) static long both_halves(struct pair p)
{
	return p.a ^ p.b;
}

__attribute__((noinline)) int keep(int x, int unused)
{
	return x + 1;
}

volatile int g;
volatile long gl;

int main(void)
{
	struct pair p = { gl, gl + 1 };
	struct big b = { gl, gl, gl };

	return drop_unused(g, g, g) + (int)use_second(p, g) + (int)use_first(g, p) +
	       const_arg(g, 3) + const_arg(g + 1, 3) + (int)big_unused(b, g, g) +
	       (int)both_halves(p) + keep(g, g);
}
