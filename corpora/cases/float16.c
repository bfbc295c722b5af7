/* Feature: _Float16 — a half-precision float global, member and parameter.
 * Expect: only x86-64 has the type. gcc 12 -gbtf encodes _Float16 as void (type 0), so the
 * typedef points at void and the kernel rejects the members, parameter and VARs using it;
 * pahole 1.24 encodes it as INT '_Float16' size 2 without encoding (not FLOAT: its FLOAT
 * support knows the C names float/double/long double only). clang 14 -target bpf and
 * bpf-gcc 12 refuse the type
 * ("_Float16 is not supported on this target"): the manifest lists only gcc and pahole.
 * The body is guarded by __FLT16_MAX__ (defined only where the type exists) so that tools
 * that compile every case with every compiler still get an object (an int fallback). */
#if defined(__FLT16_MAX__)
typedef _Float16 f16_t;
#else
typedef short f16_t;	/* no _Float16 on this target */
#endif

f16_t g_f16 = 1;

struct f16_pair { f16_t re, im; };
struct f16_pair g_f16_pair;

int float16_trunc(f16_t x)
{
	return (int)x + (int)g_f16_pair.im;
}
