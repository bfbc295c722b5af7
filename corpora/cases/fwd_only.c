/* Feature: forward-only structs and unions — types that are declared and never defined in
 * this unit, reached through pointer members, pointer parameters, a typedef of the
 * incomplete struct, a pointer to an array of pointers to it, and a function returning a
 * pointer to an incomplete union.
 * Expect: FWD (kflag=0 struct, kflag=1 union) from every producer; the TYPEDEF points at
 * the FWD; gcc 12 writes a non-zero type field into FWD records (the fwd-type quirk). */
struct fo_opaque;
union fo_opaque_u;
typedef struct fo_opaque fo_handle_t;

struct fo_user {
	fo_handle_t *h;
	union fo_opaque_u *u;
	struct fo_opaque *(*many)[4];
};

struct fo_user g_fo_user;
union fo_opaque_u *g_fo_last;

union fo_opaque_u *fwd_only_pick(fo_handle_t *h, struct fo_user *user)
{
	return h == user->h ? user->u : g_fo_last;
}
