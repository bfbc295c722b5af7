/* Feature: plain extern variables and functions that only a static linker resolves
 * (bpftool gen object / ld). Compilers emit VAR and FUNC with linkage=extern outside any
 * known DATASEC; libbpf's bpf_object__open refuses such an object ("failed to find BTF
 * for extern ... section"), so no load-time fixup makes this BTF kernel-valid. */
extern int el_shared_counter;
extern int el_helper(int x);

int el_use(int x)
{
	return el_shared_counter + el_helper(x);
}
