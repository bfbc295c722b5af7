/* Feature: hidden and internal visibility — global variables and global functions
 * with __attribute__((visibility("hidden"/"internal"))). libbpf turns such VARs into
 * static ones at open, and such subprograms in .text into static FUNCs at load (so the
 * kernel verifies them as static subprograms), when the object has more than one
 * program. An entry program lives in its own SEC(). */
#define SEC(n) __attribute__((section(n), used))

__attribute__((visibility("hidden"))) int vh_hidden_var = 1;
__attribute__((visibility("internal"))) int vh_internal_var;
int vh_default_var = 3;

__attribute__((noinline, visibility("hidden"))) int vh_hidden_sub(int x)
{
	return x * vh_hidden_var + vh_internal_var;
}

__attribute__((noinline)) int vh_global_sub(int x)
{
	return x + vh_default_var;
}

SEC("tp/vh") int vh_prog(void *ctx)
{
	vh_internal_var++;
	return vh_hidden_sub(2) + vh_global_sub(3);
}
