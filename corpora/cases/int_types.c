/* Feature: INT kind encodings — signed/unsigned, char, _Bool, all widths
 * (char..__int128 where the target supports it); pointers to ints (PTR). */
#define KEEP __attribute__((used))

signed char v_schar = -1;
unsigned char v_uchar = 1;
char v_char = 'a';
_Bool v_bool = 1;
short v_short = -2;
unsigned short v_ushort = 2;
int v_int = -3;
unsigned int v_uint = 3;
long v_long = -4;
unsigned long v_ulong = 4;
long long v_llong = -5;
unsigned long long v_ullong = 5;
#if defined(__SIZEOF_INT128__)
__int128 v_i128;
unsigned __int128 v_u128;
#endif
int *v_int_ptr;
char **v_char_pp;

int int_types_sum(int a, unsigned long b)
{
	return a + (int)b + v_int + v_short;
}
