/* Dump check: _Complex members. BTF has no complex kind: clang 14 gives the member type
 * id 0 (void), gcc 12 a FLOAT named "complex double". `bpftool btf dump ... format c`
 * dies of SIGFPE on clang's object (libbpf's btf_dump divides by the alignment of void,
 * 0); `btfcheck dump --format c` refuses it with rule dump.c-unsized instead, and prints
 * raw and json exactly as bpftool does. */
struct cx_pair {
	int a;
	_Complex double z;
	int b;
};

struct cx_pair g_cx_pair;
