/* Feature: .kconfig externs (libbpf's virtual kernel-config map) — an extern VAR of each
 * type libbpf accepts there (bool, char, tristate enum, 4/8-byte ints, char array), weak
 * and strong. Compilers emit them as VARs with linkage=extern in DATASEC '.kconfig' of
 * size 0; libbpf lays them out (alignment desc, size asc, name), sets the DATASEC size and
 * makes the VARs global. */
#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))

enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern char CONFIG_LOCALVERSION_CHAR __kconfig __weak;

int kc_use(int x)
{
	return (int)LINUX_KERNEL_VERSION + CONFIG_HZ + CONFIG_BPF_SYSCALL +
	       (CONFIG_BPF_JIT == TRI_YES) + CONFIG_DEFAULT_HOSTNAME[x & 7] +
	       (int)CONFIG_NR_CPUS + CONFIG_LOCALVERSION_CHAR;
}
