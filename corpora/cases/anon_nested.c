/* Feature: anonymous nested unions and structs as members (members with
 * name_off=0), anonymous struct inside anonymous union, named struct types
 * declared inline, anonymous typedef'd struct. */
struct an_outer {
	int kind;
	union {
		int i;
		float f;
		struct {
			short lo;
			short hi;
		};
	};
	struct {
		unsigned char a, b;
		union {
			long l;
			void *p;
		};
	} pair;
	struct an_inner { int x; } named_inner;
};

typedef struct {
	int id;
	union { unsigned u; int s; };
} an_anon_typedef;

struct an_outer g_an_outer;
an_anon_typedef g_an_anon;
struct an_inner g_an_inner;

int anon_nested_get(struct an_outer *o)
{
	return o->i + o->lo + o->pair.a;
}
