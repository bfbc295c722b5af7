/* Dump check: C layouts where libbpf's btf_dump has to reconstruct padding, packing and
 * alignment (explicit and implicit holes, padding-only and empty structs, packed nests,
 * bitfields after zero-width separators), plus 1- and 8-byte enums and parameterless
 * prototypes, where Debian's libbpf 1.1.2 and bpftool 7.1's libbpf print differently. */
struct ly_empty {};
struct ly_pad_only { int :32; };
struct ly_pad_expl { int a; int :1; int b; };
struct ly_pad_lot { int a; long :64; long :64; int b; };
struct ly_pad_tail { int a; long b; char c; };
struct ly_pad_bits { char a; int b:4; int :0; char c; };
struct __attribute__((packed)) ly_pk_tail { int a; short b; };
struct ly_npk_tail { int a; short b; };
struct __attribute__((packed)) ly_pk_fields { short a; int b; };
struct __attribute__((packed)) ly_pk_nested {
	char :4;
	int a:4;
	long b;
	struct { char c; int d; } __attribute__((packed)) e;
};
union ly_un_bits { int a:4; char b; char c:1; };
struct ly_aligned8 { char c; } __attribute__((aligned(8)));
struct ly_has_aligned { char x; struct ly_aligned8 y; };
struct __attribute__((aligned(16))) ly_al16 { int a; };
struct ly_al16_holder { char c; struct ly_al16 a; long tail; };
struct ly_big_gap { char a; char b __attribute__((aligned(32))); };
struct ly_bf_long { long a:3; long b:61; long c:64; };
struct ly_bf_mixed { unsigned char a:1; unsigned long long b:63; unsigned int c:7; short d; };
struct ly_bf_after_pad { char a; long :0; char b:3; };
enum __attribute__((packed)) ly_small_e { LY_SE_A, LY_SE_B };
enum ly_word_e { LY_WE_A = 1, LY_WE_B = 0x100000000ULL };
typedef enum { LY_TE_A } __attribute__((packed)) ly_anon_small_e;
struct ly_enum_holder { enum ly_small_e s; enum ly_word_e w; ly_anon_small_e t; char c; };
typedef void (*ly_noargs)(void);
typedef int (*ly_varargs)(int, ...);
struct ly_fnp { ly_noargs n; int (*arr[3])(void); void (*(*ret)(void))(int); };

int (*g_ly_fn_arr[2][3])(void);
struct ly_empty g_ly_empty;
struct ly_pad_only g_ly_pad_only;
struct ly_pad_expl g_ly_pad_expl;
struct ly_pad_lot g_ly_pad_lot;
struct ly_pad_tail g_ly_pad_tail;
struct ly_pad_bits g_ly_pad_bits;
struct ly_pk_tail g_ly_pk_tail;
struct ly_npk_tail g_ly_npk_tail;
struct ly_pk_fields g_ly_pk_fields;
struct ly_pk_nested g_ly_pk_nested;
union ly_un_bits g_ly_un_bits;
struct ly_has_aligned g_ly_has_aligned;
struct ly_al16_holder g_ly_al16_holder;
struct ly_big_gap g_ly_big_gap;
struct ly_bf_long g_ly_bf_long;
struct ly_bf_mixed g_ly_bf_mixed;
struct ly_bf_after_pad g_ly_bf_after_pad;
struct ly_enum_holder g_ly_enum_holder;
struct ly_fnp g_ly_fnp;
ly_varargs g_ly_varargs;
