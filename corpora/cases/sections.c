/* Feature: VAR and DATASEC — initialized (.data), zero (.bss), read-only
 * (.rodata) globals, static (linkage=static) variables, variables in custom
 * named sections (SEC-style), DATASEC secinfo offsets and sizes. */
#define SEC(n) __attribute__((section(n), used))

int g_sec_data = 42;
int g_sec_bss;
const int g_sec_rodata = 7;
static int s_sec_static = 3;
static int s_sec_static_bss;
char g_sec_license[] SEC("license") = "GPL";
struct sec_cfg { int a; long b; } g_sec_cfg SEC(".data.cfg") = { 1, 2 };
unsigned long g_sec_table[4] SEC("custom_sec");

int sections_use(int x)
{
	s_sec_static_bss += x;
	return g_sec_data + g_sec_bss + g_sec_rodata + s_sec_static + s_sec_static_bss;
}
