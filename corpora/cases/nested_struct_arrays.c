/* Feature: deeply nested arrays of structs — a struct holding a 2-D array of structs that
 * each hold an array of structs holding a 3-D array of ints, and a global 2-D array of
 * the outermost struct (five levels of aggregate/array nesting).
 * Expect: ARRAY of ARRAY of STRUCT, outermost first (clang; gcc 12 nests in reverse, a
 * bug) or one flattened ARRAY (pahole); the innermost int[2][3][4] likewise. */
struct nsa_leaf { int cube[2][3][4]; char tag; };
struct nsa_mid { struct nsa_leaf leaves[3]; short n; };
struct nsa_top { struct nsa_mid grid[2][2]; long total; };

struct nsa_top g_nsa_top[2][3];

int nested_struct_arrays_get(unsigned int i, unsigned int j)
{
	return g_nsa_top[i & 1][j % 3].grid[1][0].leaves[2].cube[1][2][3];
}
