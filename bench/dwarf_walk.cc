// btfcheck_dwarf_walk ELF [-j N]: the floor of any DWARF->BTF encoder built on libdw. It walks
// every DIE of every compile unit (dwarf_child / dwarf_siblingof) and enumerates each DIE's
// attributes (dwarf_getattrs) without decoding a value, on N threads (default 1), each with
// its own Dwarf handle, taking the units in order. bench/encode_vs_pahole.sh runs it beside
// the encoders: what an encoder spends above it is decoding, encoding and deduplicating.
// Prints the DIE and attribute counts; exit 2 when ELF has no DWARF or a thread cannot open it.
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Counts {
  uint64_t dies = 0, attrs = 0;
};

int count_attr(Dwarf_Attribute*, void* arg) {
  ++*static_cast<uint64_t*>(arg);
  return DWARF_CB_OK;
}

void walk(Dwarf_Die* parent, Counts& n) {
  Dwarf_Die c;
  if (dwarf_child(parent, &c) != 0) return;
  do {
    ++n.dies;
    dwarf_getattrs(&c, count_attr, &n.attrs, 0);
    if (dwarf_haschildren(&c)) walk(&c, n);
  } while (dwarf_siblingof(&c, &c) == 0);
}

// One ELF + Dwarf handle (per thread: libdw's DIE caches are not shared).
struct Handle {
  int fd = -1;
  Elf* elf = nullptr;
  Dwarf* dwarf = nullptr;
  explicit Handle(const char* path) {
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (elf) dwarf = dwarf_begin_elf(elf, DWARF_C_READ, nullptr);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (dwarf) dwarf_end(dwarf);
    if (elf) elf_end(elf);
    if (fd >= 0) close(fd);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const char* path = nullptr;
  unsigned jobs = 1;
  for (int i = 1; i < argc; ++i) {
    if ((!std::strcmp(argv[i], "-j") || !std::strcmp(argv[i], "--jobs")) && i + 1 < argc)
      jobs = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    else if (!path)
      path = argv[i];
  }
  if (!path) {
    std::fprintf(stderr, "usage: btfcheck_dwarf_walk ELF [-j N]\n");
    return 2;
  }
  elf_version(EV_CURRENT);
  std::vector<Dwarf_Off> units;  // offsets of the unit DIEs
  {
    Handle h(path);
    if (!h.dwarf) {
      std::fprintf(stderr, "btfcheck_dwarf_walk: %s: no DWARF (%s)\n", path, dwarf_errmsg(-1));
      return 2;
    }
    Dwarf_Off off = 0, next = 0;
    size_t header = 0;
    while (dwarf_nextcu(h.dwarf, off, &next, &header, nullptr, nullptr, nullptr) == 0) {
      units.push_back(off + header);
      off = next;
    }
  }
  std::atomic<size_t> next_unit{0};
  std::atomic<bool> open_failed{false};   // a thread without its handle: the counts would be short
  std::vector<Counts> counts(jobs);
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < jobs; ++j)
    threads.emplace_back([&, j] {
      Handle h(path);
      if (!h.dwarf) {
        open_failed = true;
        return;
      }
      for (size_t i; (i = next_unit.fetch_add(1)) < units.size();) {
        Dwarf_Die cu;
        if (dwarf_offdie(h.dwarf, units[i], &cu)) walk(&cu, counts[j]);
      }
    });
  for (std::thread& t : threads) t.join();
  if (open_failed) {
    std::fprintf(stderr, "btfcheck_dwarf_walk: %s: a thread could not open its Dwarf handle\n", path);
    return 2;
  }
  Counts all;
  for (const Counts& c : counts) {
    all.dies += c.dies;
    all.attrs += c.attrs;
  }
  std::printf("%zu units, %llu DIEs, %llu attributes\n", units.size(),
              static_cast<unsigned long long>(all.dies), static_cast<unsigned long long>(all.attrs));
  return 0;
}
