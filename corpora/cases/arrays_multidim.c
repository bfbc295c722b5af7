/* Feature: multi-dimensional arrays (ARRAY of ARRAY), arrays of pointers,
 * pointers to arrays, arrays of const elements, arrays inside structs. */
int g_md2[3][4];
char g_md3[2][3][5];
const short g_md_const[2][2] = { { 1, 2 }, { 3, 4 } };
int *g_md_ptrs[6];
int (*g_md_ptr_to_arr)[8];

struct md_grid {
	unsigned char cells[4][4];
	long rows[2][1];
};

struct md_grid g_md_grid;

int arrays_multidim_at(int i, int j)
{
	return g_md2[i & 1][j & 3] + g_md_grid.cells[i & 3][j & 3];
}
