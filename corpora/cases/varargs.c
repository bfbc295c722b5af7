/* Feature: variadic function prototypes (FUNC_PROTO whose last param has
 * name_off=0 and type=0), prototype with no params ("(void)"), K&R-style
 * unprototyped, via function-pointer globals and extern declarations. */
typedef int (*va_printf_fn)(const char *fmt, ...);
typedef void (*va_noargs_fn)(void);

va_printf_fn g_va_printf;
va_noargs_fn g_va_noargs;
long (*g_va_two)(int, long, ...);

struct va_ops {
	int (*log)(int level, const char *fmt, ...);
	void (*done)(void);
};
struct va_ops g_va_ops;

extern int va_extern(int n, ...);

/* No indirect calls (bpf-gcc rejects them); a direct call keeps the
 * variadic extern's FUNC (linkage=extern) in clang's output. */
int varargs_call(int x)
{
	return va_extern(x, 1, 2) + (g_va_printf != 0) + (g_va_ops.log != 0);
}
