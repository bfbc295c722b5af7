/* Feature: per-CPU-like variables — globals placed with
 * __attribute__((section(".data..percpu"))) (as the kernel's DEFINE_PER_CPU does): an int,
 * a struct and an array, next to an ordinary .data global.
 * Expect: VARs in a DATASEC named '.data..percpu' (compilers: size 0 and zero offsets,
 * left to libbpf); pahole encodes VARs only for this section (its per-CPU rule), so its
 * output has the '.data..percpu' DATASEC with real offsets and sizes and no '.data' one. */
#define PERCPU __attribute__((section(".data..percpu")))

struct pc_stats { unsigned long packets; unsigned long bytes; };

int pc_counter PERCPU = 1;
struct pc_stats pc_stats PERCPU = { 1, 2 };
long pc_ring[8] PERCPU = { 3 };
int pc_plain = 4;

int percpu_section_get(void)
{
	return pc_counter + (int)pc_stats.bytes + (int)pc_ring[1] + pc_plain;
}
