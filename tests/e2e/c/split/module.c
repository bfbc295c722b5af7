/* Split-BTF check: a "module" compiled for the host with DWARF, encoded by
 * `pahole -J --btf_base /sys/kernel/btf/vmlinux` so that its BTF refers to the running
 * kernel's types (list_head, int, ...) by their base ids and only adds its own. */
struct list_head {
	struct list_head *next, *prev;
};

enum sm_state { SM_IDLE, SM_BUSY = 4, SM_GONE = -1 };

struct sm_device {
	struct list_head node;
	enum sm_state state;
	unsigned long flags;
	unsigned int irq : 12, enabled : 1;
	int (*probe)(struct sm_device *dev, void *data);
	char name[16];
};

struct sm_device sm_devices[4];
int sm_count;

int sm_register(struct sm_device *dev, const char *name)
{
	dev->name[0] = name[0];
	dev->state = SM_BUSY;
	return ++sm_count;
}
