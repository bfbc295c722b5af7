// Which collected subprogram is at which function symbol (see entry_offset.cc for why an
// entry is not always at its symbol).
//
// 1. Classes: the ftrace table's patch sites mark the function symbols with a patch area
//    (mark_patchable); every other function symbol is in the other class.
// 2. Offsets: per class, learn_offset over the names with one symbol address and one
//    subprogram with code (the symbol's class decides which sample it is).
// 3. Placing, in walk order per name: a subprogram with code is at symbol S when S is a
//    requested symbol and its entry is S + the offset of S's class (the patchable class is
//    tried first; with both offsets 0 this is plain address equality). Subprograms at no
//    symbol become `others`, one per signature and kind of address, as the walk met them;
//    assembler subprograms of other names matter only at a symbol.
#include <algorithm>
#include <unordered_map>

#include "comparator/dwarfcheck/dwarf_read.h"

namespace btfcheck::dwarfcheck::detail {
namespace {

std::string machine_name(uint16_t m) {
  switch (m) {
    case 3: return "i386";            // EM_386
    case 8: return "MIPS";            // EM_MIPS
    case 20: return "PowerPC";        // EM_PPC
    case 21: return "PowerPC64";      // EM_PPC64
    case 22: return "s390";           // EM_S390
    case 40: return "ARM";            // EM_ARM
    case 62: return "x86-64";         // EM_X86_64
    case 183: return "AArch64";       // EM_AARCH64
    case 243: return "RISC-V";        // EM_RISCV
    case 247: return "BPF";           // EM_BPF
    case 258: return "LoongArch";     // EM_LOONGARCH
    default: return "machine " + std::to_string(m);
  }
}

}  // namespace

void place_subprograms(Collected c, const PatchTable& table, DwarfData& data) {
  EntryOffsets& e = data.entry;
  e.machine = machine_name(c.machine);
  e.table = table.source;
  e.sites = table.sites.size();
  const SiteMarks marks = mark_patchable(c.func_symbols, table.sites);
  e.unattributed = marks.unattributed;
  e.patchable.symbols = marks.patchable.size();
  e.other.symbols = c.func_symbols.size() - marks.patchable.size();
  auto patchable = [&](uint64_t s) {
    return std::binary_search(marks.patchable.begin(), marks.patchable.end(), s);
  };

  std::vector<int64_t> deltas[2];   // [0] other, [1] patchable
  for (const auto& [name, v] : c.named) {
    auto sym = data.symbols.find(name);
    if (sym == data.symbols.end() || sym->second.size() != 1) continue;
    const DwarfFunc* only = nullptr;
    size_t with_code = 0;
    for (const DwarfFunc& f : v)
      if (f.has_address) {
        ++with_code;
        only = &f;
      }
    if (with_code != 1) continue;
    const uint64_t s = sym->second.front();
    deltas[patchable(s)].push_back(static_cast<int64_t>(only->addr - s));
  }
  const Learned learned[2] = {learn_offset(deltas[0]), learn_offset(deltas[1])};
  for (int k = 0; k < 2; ++k) {
    EntryClass& ec = k ? e.patchable : e.other;
    ec.offset = learned[k].offset;
    ec.samples = learned[k].samples;
    ec.agree = learned[k].agree;
  }

  std::unordered_map<uint64_t, bool> requested;   // requested symbol address -> patchable
  for (const auto& [name, addrs] : data.symbols)
    for (uint64_t a : addrs) requested.emplace(a, patchable(a));
  auto at_symbol = [&](const DwarfFunc& f, uint64_t* s) {
    if (!f.has_address) return false;
    for (int k : {1, 0}) {
      const uint64_t cand = f.addr - static_cast<uint64_t>(learned[k].offset);
      auto it = requested.find(cand);
      if (it != requested.end() && it->second == (k == 1)) {
        *s = cand;
        return true;
      }
    }
    return false;
  };
  for (auto& [name, v] : c.named) {
    for (DwarfFunc& f : v) {
      uint64_t s = 0;
      if (at_symbol(f, &s)) {
        f.addr = s;
        data.funcs[s].push_back(std::move(f));
        continue;
      }
      std::vector<DwarfFunc>& o = data.others[name];
      const bool seen = std::any_of(o.begin(), o.end(), [&](const DwarfFunc& x) {
        return same_sig(x.sig, f.sig) && x.has_address == f.has_address;
      });
      if (!seen) o.push_back(std::move(f));
    }
  }
  for (DwarfFunc& f : c.assembler) {
    uint64_t s = 0;
    if (!at_symbol(f, &s)) continue;
    f.addr = s;
    data.funcs[s].push_back(std::move(f));
  }
  for (auto& [addr, v] : data.funcs)
    std::sort(v.begin(), v.end(), [](const DwarfFunc& a, const DwarfFunc& b) { return a.die < b.die; });
}

}  // namespace btfcheck::dwarfcheck::detail
