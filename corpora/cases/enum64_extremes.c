/* Feature: 64-bit enum extremes — enumerators at INT64_MIN, INT64_MAX, UINT64_MAX, a value
 * of 2^32 exactly, and a 64-bit enum used as a struct member and as a function parameter.
 * Expect: ENUM64 (kind 19) with lo32/hi32 and the signedness bit from pahole 1.24; clang 14
 * emits an ENUM of size 8 with the values truncated to 32 bits; gcc 12 emits an ENUM of
 * size 8 without the enumerators that do not fit 32 bits (the enum64-lost difference). */
enum e64x_signed { E64X_MIN = -9223372036854775807LL - 1, E64X_NEG1 = -1, E64X_MAX = 9223372036854775807LL };
enum e64x_unsigned { E64X_ZERO = 0, E64X_2P32 = 4294967296ULL, E64X_UMAX = 18446744073709551615ULL };

struct e64x_holder {
	enum e64x_signed s;
	enum e64x_unsigned u;
};

struct e64x_holder g_e64x_holder;

int enum64_extremes_test(enum e64x_unsigned u)
{
	return u == E64X_UMAX;
}
