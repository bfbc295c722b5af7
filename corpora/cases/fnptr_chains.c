/* Feature: function pointers returning function pointers — a function returning a pointer
 * to a function that returns a pointer to a function (three FUNC_PROTO levels), without
 * typedefs, as a global, as a struct member and as a parameter.
 * Expect: PTR -> FUNC_PROTO whose return type is PTR -> FUNC_PROTO -> PTR -> FUNC_PROTO;
 * clang emits named parameters only for FUNCs; gcc 12 also emits an anonymous FUNC for
 * each function type it meets (the anon-func quirk). */
int fc_leaf(long x);
int (*fc_mid(char c))(long);
int (*(*fc_top(short s))(char))(long);

int (*(*(*g_fc_ptr)(short))(char))(long);

struct fc_holder {
	int (*(*get)(char))(long);
	int (*(*(*top)(short))(char))(long);
};

struct fc_holder g_fc_holder;

int fnptr_chains_set(int (*(*f)(char))(long), char c)
{
	g_fc_holder.get = f;
	return c;
}
