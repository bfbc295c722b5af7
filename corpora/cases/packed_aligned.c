/* Feature: packed and over-aligned structs and unions — member offsets that
 * are not naturally aligned, sizes with tail padding, aligned(64) members. */
struct __attribute__((packed)) pa_packed {
	char c;
	int i;
	long long ll;
	short s;
};

struct pa_aligned {
	char c;
	int i __attribute__((aligned(16)));
	char tail;
} __attribute__((aligned(64)));

union __attribute__((packed)) pa_packed_union {
	char c;
	int i;
	long long ll;
};

struct pa_nested {
	char lead;
	struct pa_packed inner;
	union pa_packed_union u;
	struct pa_aligned al;
};

struct pa_nested g_pa_nested;
struct pa_packed g_pa_packed_arr[3];

int packed_aligned_get(struct pa_nested *n)
{
	return n->inner.i + n->al.i;
}
