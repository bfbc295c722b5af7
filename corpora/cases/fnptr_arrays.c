/* Feature: arrays of function pointers — a 1-D and a 2-D array of function pointers, an
 * ops table (struct of a function-pointer array), an array of pointers to functions that
 * take an array-of-function-pointers parameter (decays to a pointer).
 * Expect: ARRAY whose element is PTR -> FUNC_PROTO; ARRAY of ARRAY for the 2-D table
 * (gcc flattens multi-dimensional arrays the same way clang does not: named rule
 * array-flatten covers it); parameter of type PTR -> PTR -> FUNC_PROTO. */
typedef int (*fa_handler)(int);

int (*g_fa_table[4])(int);
void (*g_fa_grid[2][3])(void *, unsigned long);

struct fa_ops {
	long (*ops[5])(long, long);
	fa_handler fallback;
};

struct fa_ops g_fa_ops;
int (*g_fa_meta[2])(fa_handler hs[], int n);

int fnptr_arrays_install(unsigned int which, fa_handler h)
{
	g_fa_table[which & 3] = h;
	return g_fa_table[0] == h;
}
