/* Feature: ENUM — signed enumerators (negative values, kflag=1 in newer
 * producers), unsigned enums, small (1/2-byte packed) enums, anonymous enum,
 * enumerator values at 32-bit limits. */
enum es_signed { ES_NEG = -5, ES_ZERO = 0, ES_POS = 7, ES_MIN = -2147483647 - 1 };
enum es_unsigned { EU_A = 1, EU_B = 2, EU_MAX = 0xffffffffu };
enum __attribute__((packed)) es_small { ESM_A, ESM_B = 200 };
enum __attribute__((packed)) es_small_neg { ESN_A = -1, ESN_B = 100 };
enum { ES_ANON_X = 3, ES_ANON_Y };

enum es_signed g_es_signed;
enum es_unsigned g_es_unsigned;
enum es_small g_es_small;
enum es_small_neg g_es_small_neg;
int g_es_anon = ES_ANON_Y;

struct es_holder {
	enum es_signed s;
	enum es_small sm;
};
struct es_holder g_es_holder;

int enums_signed_val(enum es_signed e)
{
	return e == ES_NEG ? 1 : (int)e;
}
