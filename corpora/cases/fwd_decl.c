/* Feature: FWD kind — structs and unions only ever declared (forward-only,
 * kflag 0 for struct, 1 for union), used through pointers; a self-referential
 * list and mutually recursive structs (cycles). */
struct fw_opaque;
union fw_opaque_u;

struct fw_list {
	struct fw_list *next, *prev;
	struct fw_opaque *priv;
	union fw_opaque_u *upriv;
};

struct fw_b;
struct fw_a { struct fw_b *b; int v; };
struct fw_b { struct fw_a *a; long w; };

struct fw_list g_fw_list;
struct fw_a g_fw_a;
struct fw_opaque *g_fw_opaque;

int fwd_decl_walk(struct fw_list *l)
{
	return l->next == l->prev;
}
