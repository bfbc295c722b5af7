/* Feature: a static struct that clang's -O2 global SRA (globalopt) splits into per-field
 * globals. The VAR left in BTF is named after the piece ('sra_state.0') but keeps the whole
 * struct's type, while its DATASEC entry has the piece's size, so the kernel rejects the
 * DATASEC ("Invalid size": entry size smaller than the VAR type's size) even after every
 * libbpf fixup. gcc keeps the struct whole. */
struct sra_pair { int hits; int misses; long total; };

static struct sra_pair sra_state;
int sra_public = 1;

int sra_count(int hit)
{
	if (hit)
		sra_state.hits++;
	return sra_state.hits + sra_public;
}
