/* Feature: packed and aligned variants — #pragma pack(1)/(2), packed on single members,
 * aligned(N) on a typedef (an over-aligned member type), packed+aligned(4) together, an
 * aligned(2) attribute smaller than the natural alignment (ignored on a struct), and an
 * aligned(16) array member that opens a hole.
 * Expect: STRUCT sizes and member bit offsets as the ABI lays them out, equal across
 * producers; BTF has no alignment field, so packing shows only in offsets and sizes. */
#pragma pack(push, 1)
struct pp_pack1 { char c; int i; long long l; };
#pragma pack(pop)
#pragma pack(push, 2)
struct pp_pack2 { char c; int i; char d; long long l; };
#pragma pack(pop)

struct pp_member { char c; int i __attribute__((packed)); short s; };
typedef int pp_aligned8_int __attribute__((aligned(8)));
struct pp_typedef_aligned { char c; pp_aligned8_int x; char d; };
struct __attribute__((packed, aligned(4))) pp_packed_aligned { char c; int i; char d; };
struct __attribute__((aligned(2))) pp_underaligned { int i; char c; };
struct pp_array_hole { char c; int arr[3] __attribute__((aligned(16))); char tail; };

struct pp_pack1 g_pp_pack1;
struct pp_pack2 g_pp_pack2;
struct pp_member g_pp_member;
struct pp_typedef_aligned g_pp_typedef_aligned;
struct pp_packed_aligned g_pp_packed_aligned;
struct pp_underaligned g_pp_underaligned;
struct pp_array_hole g_pp_array_hole;

int pack_pragma_read(struct pp_pack2 *p)
{
	return p->i + p->d;
}
