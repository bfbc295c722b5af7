/* Feature: cycles and deep nesting — self-referential trees, structs
 * containing arrays of pointers to themselves, function pointers taking the
 * enclosing struct, long pointer chains (PTR->PTR->PTR). */
struct rc_tree {
	struct rc_tree *left, *right, *parent;
	struct rc_tree *children[3];
	int (*visit)(struct rc_tree *self, void *arg);
	int key;
};

struct rc_tree g_rc_root;
struct rc_tree ****g_rc_deep;
void *g_rc_void;
const void *g_rc_cvoid;

int recursive_depth(struct rc_tree *t)
{
	int d = 0;
	while (t && d < 16) {
		t = t->left;
		d++;
	}
	return d;
}
