/* Feature: enum bitfields — members of enum type with a bit width: an unsigned enum in 2
 * bits, a signed enum with negative values in 3 bits, a packed (1-byte) enum in a bitfield,
 * and an enum bitfield next to int bitfields in one storage unit.
 * Expect: member type = the ENUM (not an INT), bitfield_size in the member offset (kflag=1);
 * the ENUMs keep their size (4, or 1 for the packed one); signed enums have negative
 * values (kflag=1 on the ENUM only from producers that emit the signedness bit). */
enum eb_state { EB_IDLE, EB_RUN, EB_STOP };
enum eb_delta { EB_DOWN = -2, EB_BACK = -1, EB_ZERO = 0, EB_UP = 1 };
enum __attribute__((packed)) eb_small { EB_S0, EB_S1, EB_S2, EB_S3 };

struct eb_flags {
	enum eb_state state : 2;
	enum eb_delta delta : 3;
	unsigned int count : 11;
	enum eb_small small : 2;
	int sign : 4;
};

struct eb_flags g_eb_flags;

int enum_bitfields_get(struct eb_flags *f)
{
	return f->delta + f->state + f->small;
}
