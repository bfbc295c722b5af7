/* Feature: signed enums with negative values — an enum of only negative enumerators, one
 * spanning INT_MIN..INT_MAX, a sparse signed enum, and the same values in a 1-byte packed
 * enum (size 1, values -128..127).
 * Expect: ENUM with the values as signed 32-bit numbers (e.g. -2147483648), sizes 4 and 1;
 * pahole 1.24 sets kflag=1 (signed); clang 14 and gcc 12 leave kflag=0 (the enum-sign
 * rule compares the values as signed). */
enum en_neg { EN_M1 = -1, EN_M2 = -2, EN_M100 = -100 };
enum en_span { EN_MIN = -2147483647 - 1, EN_MID = 0, EN_MAX = 2147483647 };
enum en_sparse { EN_A = -1000, EN_B = 7, EN_C = -7, EN_D = 1000 };
enum __attribute__((packed)) en_byte { EN_BMIN = -128, EN_BMAX = 127 };

enum en_neg g_en_neg = EN_M2;
enum en_span g_en_span = EN_MIN;
enum en_sparse g_en_sparse = EN_C;
enum en_byte g_en_byte = EN_BMIN;

int enum_negative_pick(enum en_sparse s)
{
	return s == EN_A ? EN_M100 : EN_MAX;
}
