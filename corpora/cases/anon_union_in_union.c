/* Feature: anonymous unions nested directly in unions (three levels), an anonymous struct
 * inside an anonymous union inside a union, and two anonymous members at the same offset.
 * Expect: UNION members with name_off=0 whose type is an anonymous UNION/STRUCT, every
 * member at bit offset 0 in a union; producers agree (canon paths 'union auu_top.(anon
 * union@0)...'). */
union auu_top {
	long whole;
	union {
		int i;
		union {
			short s;
			char c;
		};
	};
	union {
		struct {
			unsigned char lo;
			unsigned char hi;
		};
		unsigned short both;
	};
};

union auu_top g_auu_top;

int anon_union_in_union_get(union auu_top *u)
{
	return u->c + u->hi + u->both;
}
