/* Feature: recursive types through typedefs — a list whose 'next' is a typedef'd pointer
 * to itself, two structs that reach each other only through typedefs, and a typedef'd
 * function pointer whose parameter is the typedef'd struct that contains it.
 * Expect: cycles STRUCT -> PTR -> TYPEDEF -> STRUCT (and through FUNC_PROTO); canon and
 * diff terminate and producers agree up to the gcc anon-func quirk. */
typedef struct rt_node rt_node_t;
typedef rt_node_t *rt_link_t;
struct rt_node { rt_link_t next; int v; };

typedef struct rt_a rt_a_t;
typedef struct rt_b rt_b_t;
struct rt_a { rt_b_t *b; long tag; };
struct rt_b { rt_a_t *a; rt_a_t *self_a; };

typedef struct rt_ops rt_ops_t;
typedef int (*rt_cb_t)(rt_ops_t *ops, rt_node_t *n);
struct rt_ops { rt_cb_t cb; rt_ops_t *parent; };

rt_node_t g_rt_node;
rt_a_t g_rt_a;
rt_ops_t g_rt_ops;

int recursive_typedefs_len(rt_link_t n)
{
	int i = 0;
	for (; n; n = n->next)
		i++;
	return i;
}
