/* Second unit of the two_cu_clash case: a 'struct clash' with other members and size, and
 * a 'clash_t' typedef of it. */
struct clash { long x; long y; short z; };
typedef struct clash clash_t;

struct clash g_clash_b;
clash_t *g_clash_b_ptr;

long two_cu_clash_b(struct clash *c)
{
	return c->x + c->y + c->z;
}
