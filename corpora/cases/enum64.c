/* Feature: 64-bit enums (ENUM64 kind in clang >= 15 / pahole; older
 * producers emit ENUM with size 8 or truncate): values above 32 bits,
 * negative 64-bit values, mixed 32/64-bit enumerators. */
enum e64_big { E64_SMALL = 1, E64_BIG = 0x100000000ULL, E64_TOP = 0xffffffffffffffffULL };
enum e64_neg { E64N_MIN = -0x7fffffffffffffffLL - 1, E64N_NEG = -2, E64N_POS = 0x1234567890LL };

enum e64_big g_e64_big;
enum e64_neg g_e64_neg;

struct e64_holder {
	enum e64_big b;
	enum e64_neg n;
};
struct e64_holder g_e64_holder;

int enum64_test(enum e64_big b)
{
	return b == E64_BIG;
}
