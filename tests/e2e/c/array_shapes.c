/* Array shapes: multi-dimensional arrays, directly and through array typedefs.
 * Expect: clang nests one ARRAY per dimension, outermost first (int m[3][4][5]: 3 of 4 of
 * 5); gcc 12 and bpf-gcc 12 -gbtf nest them in reverse (5 of 4 of 3), a gcc bug; pahole
 * flattens each into one ARRAY of all elements (60), through typedefs too. With
 * array-flatten, clang equals pahole and gcc's reversed nesting stays a difference. */
typedef int as_row_t[5];
typedef as_row_t as_mat_t[4];

struct as_grid {
	int m[3][4][5];
	as_row_t rows[3];
	as_mat_t mat;
	char flat[7];
	short pair[2][6];
	as_row_t last;   /* used on its own: gcc's DWARF keeps the typedef */
};

int array_shapes_get(struct as_grid *g, int i)
{
	return g->m[i][1][2] + g->rows[i][0] + g->mat[1][i] + g->flat[i] + g->pair[1][i];
}
