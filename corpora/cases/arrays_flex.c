/* Feature: flexible array members and zero-length arrays (ARRAY with
 * nelems=0) at the end of structs, arrays of structs, array index type. */
struct af_flex {
	int len;
	char data[];
};

struct af_zero {
	unsigned long hdr;
	int zero[0];
};

struct af_holder {
	struct af_zero z;
	struct af_flex *f;
	unsigned char bytes[16];
};

struct af_holder g_af_holder;
struct af_flex *g_af_flex;
struct af_zero g_af_zero_arr[2];

int arrays_flex_len(struct af_flex *f)
{
	return f->len + f->data[0];
}
