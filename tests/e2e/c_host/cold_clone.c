/* gcc -O2 splits a function's unlikely path into a .cold part (its DWARF then has
 * DW_AT_ranges and no DW_AT_low_pc) and clones it for an ignored parameter. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline, cold)) void report(const char *what, int v)
{
	fprintf(stderr, "%s: %d\n", what, v);
	abort();
}

__attribute__((noinline)) static int sum_checked(const int *v, int n, int ignored)
{
	int s = 0;
	for (int i = 0; i < n; ++i) {
		if (__builtin_expect(v[i] < 0, 0)) {
			report("negative", v[i]);
			report("again", i);
		}
		s += v[i];
	}
	return s;
}

int data[4] = { 1, 2, 3, 4 };
int g_n = 4, g_z;

int main(void)
{
	return sum_checked(data, g_n, g_z) + sum_checked(data + 1, g_n - 1, g_z);
}
