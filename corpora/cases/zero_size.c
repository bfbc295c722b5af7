/* Feature: zero-size types (GNU C) — an empty struct and an empty union (size 0), a struct
 * holding only a zero-length array, empty-struct members that share an offset with the next
 * member, and an array of empty structs.
 * Expect: STRUCT/UNION with size 0 and vlen 0; members of size-0 types at the same bit
 * offset as their neighbour; ARRAY of a size-0 element. Producers agree. */
struct zs_empty { };
union zs_empty_u { };
struct zs_only_zla { int items[0]; };

struct zs_holder {
	struct zs_empty marker;
	int value;
	union zs_empty_u umark;
	struct zs_empty many[4];
	struct zs_only_zla z;
	long end;
};

struct zs_holder g_zs_holder;

int zero_size_get(struct zs_holder *h)
{
	return h->value + (int)h->end;
}
