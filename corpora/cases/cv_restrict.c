/* Feature: CONST, VOLATILE, RESTRICT modifiers and their ordering — const
 * pointer vs pointer to const, const volatile, restrict pointers in
 * prototypes, const struct members, volatile arrays. */
struct cv_s {
	const int ci;
	volatile long vl;
	const volatile unsigned cvu;
	const char *pc;
	char *const cp;
	const char *const cpc;
	volatile int arr[3];
};

const int g_cv_const = 1;
volatile int g_cv_vol;
const volatile int g_cv_cv;
const char *volatile g_cv_vp;
int *restrict g_cv_restrict;
struct cv_s g_cv_s;
const struct cv_s *g_cv_sp;

int cv_copy(int *restrict dst, const int *restrict src, volatile const int *v)
{
	*dst = *src + *v;
	return g_cv_vol;
}
