/* Feature: .ksyms externs — typed kernel variables and kernel functions (kfuncs) declared
 * __ksym, with named and unnamed parameters. Compilers emit VAR/FUNC with linkage=extern
 * in DATASEC '.ksyms' of size 0; libbpf makes each entry a 4-byte int at offset 4*i, gives
 * kfuncs a stand-in VAR 'dummy_ksym', global linkage and named parameters. */
#define __ksym __attribute__((section(".ksyms")))

struct ks_task;

extern const int ks_prog_active __ksym;
extern const unsigned long ks_jiffies __ksym;
extern struct ks_task *ks_task_acquire(struct ks_task *p) __ksym;
extern void ks_task_release(struct ks_task *) __ksym;
extern int ks_add(int, long b) __ksym;

int ks_use(struct ks_task *t)
{
	struct ks_task *held = ks_task_acquire(t);
	if (held)
		ks_task_release(held);
	return ks_prog_active + (int)ks_jiffies + ks_add(1, 2);
}
