/* pahole master's "uncertain parameter location" (--compat=pahole-master): on x86-64 the
 * 7th parameter and later go on the stack; pahole skips a function when such a parameter is
 * a named struct it infers packed. */
struct odd { long long x; char c; } __attribute__((packed));   /* 9 bytes: "packed" */
struct plain { long a, b; };                                     /* natural: not packed */
struct inner { int a, b; };                                      /* natural on its own */
struct outer { char c; struct inner in __attribute__((packed)); long l; };  /* holes; inner at 1 */

__attribute__((noinline)) int six_odd(int a, int b, int c, int d, int e, struct odd o)
{ return a + b + c + d + e + o.c; }
__attribute__((noinline)) int seven_odd(int a, int b, int c, int d, int e, int f, struct odd o)
{ return a + b + c + d + e + f + o.c; }
__attribute__((noinline)) int seven_plain(int a, int b, int c, int d, int e, int f, struct plain p)
{ return a + b + c + d + e + f + (int)p.b; }
__attribute__((noinline)) int inner_first(int a, int b, int c, int d, int e, int f, struct inner i)
{ return a + b + c + d + e + f + i.b; }
__attribute__((noinline)) int seven_outer(int a, int b, int c, int d, int e, int f, struct outer o)
{ return a + b + c + d + e + f + o.in.b; }
__attribute__((noinline)) int inner_after(int a, int b, int c, int d, int e, int f, struct inner i)
{ return a + b + c + d + e + f + i.a; }

volatile int sink;
int main(void)
{
	struct odd o = { 1, 2 };
	struct plain p = { 3, 4 };
	struct inner i = { 5, 6 };
	struct outer t = { 7, { 8, 9 }, 10 };
	sink = six_odd(1, 2, 3, 4, 5, o) + seven_odd(1, 2, 3, 4, 5, 6, o) +
	       seven_plain(1, 2, 3, 4, 5, 6, p) + inner_first(1, 2, 3, 4, 5, 6, i) +
	       seven_outer(1, 2, 3, 4, 5, 6, t) + inner_after(1, 2, 3, 4, 5, 6, i);
	return 0;
}
