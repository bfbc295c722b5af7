/* gcc -O2 turns functions whose parameters are unused or constant into clones
 * (scale.constprop.0, pick.isra.0) whose calling convention is no longer the prototype's. */
__attribute__((noinline)) int keep_all(int x, int unused)
{
	return x + 1;
}

__attribute__((noinline)) static int scale(int x, int y, int ignored)
{
	return x * y - x - y;
}

struct pair { long a, b; };

__attribute__((noinline)) static long pick(const struct pair *p, int which)
{
	return which ? p->a : p->a * 2;
}

int g_x, g_y, g_z;
int main(void)
{
	struct pair p = { g_x, g_y };
	return keep_all(g_x, g_z) + scale(g_x, g_y, g_z) + (int)pick(&p, 0);
}
