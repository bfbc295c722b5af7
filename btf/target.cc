#include "btf/target.h"

#include <array>

#include "btf/btf.h"
#include "btf/json.h"

namespace btfcheck::btf {
namespace {

struct Arch {
  std::string_view name;
  uint32_t ptr_size;
  Endian endian;
};

// Debian's and the kernel's spellings; the first spelling of an ELF machine is the name
// describe() prints.
constexpr std::array<Arch, 30> kArches{{
    {"x86_64", 8, Endian::Little},  {"amd64", 8, Endian::Little},
    {"i386", 4, Endian::Little},    {"i686", 4, Endian::Little},
    {"x86", 4, Endian::Little},     {"arm64", 8, Endian::Little},
    {"aarch64", 8, Endian::Little}, {"arm", 4, Endian::Little},
    {"armhf", 4, Endian::Little},   {"armel", 4, Endian::Little},
    {"s390x", 8, Endian::Big},      {"ppc64", 8, Endian::Big},
    {"ppc64le", 8, Endian::Little}, {"ppc64el", 8, Endian::Little},
    {"ppc", 4, Endian::Big},        {"powerpc", 4, Endian::Big},
    {"riscv64", 8, Endian::Little}, {"riscv32", 4, Endian::Little},
    {"mips", 4, Endian::Big},       {"mipsel", 4, Endian::Little},
    {"mips64", 8, Endian::Big},     {"mips64el", 8, Endian::Little},
    {"loongarch64", 8, Endian::Little}, {"sparc64", 8, Endian::Big},
    {"bpf", 8, Endian::Little},     {"bpfel", 8, Endian::Little},
    {"bpfeb", 8, Endian::Big},      {"m68k", 4, Endian::Big},
    {"hppa", 4, Endian::Big},       {"sh4", 4, Endian::Little},
}};

// e_machine values (elf.h) and the name of each, by class where it depends on it.
std::string machine_name(uint16_t m, uint32_t ptr_size, Endian e) {
  const bool le = e == Endian::Little, wide = ptr_size == 8;
  switch (m) {
    case 3: return "i386";                          // EM_386
    case 62: return "x86_64";                       // EM_X86_64
    case 183: return "arm64";                       // EM_AARCH64
    case 40: return "arm";                          // EM_ARM
    case 22: return wide ? "s390x" : "s390";        // EM_S390
    case 20: return "ppc";                          // EM_PPC
    case 21: return le ? "ppc64le" : "ppc64";       // EM_PPC64
    case 243: return wide ? "riscv64" : "riscv32";  // EM_RISCV
    case 8: return std::string(wide ? "mips64" : "mips") + (le ? "el" : "");   // EM_MIPS
    case 258: return "loongarch64";                 // EM_LOONGARCH
    case 43: return "sparc64";                      // EM_SPARCV9
    case 247: return le ? "bpfel" : "bpfeb";        // EM_BPF
    case 4: return "m68k";                          // EM_68K
    case 15: return "hppa";                         // EM_PARISC
    case 42: return "sh4";                          // EM_SH
    default: return m ? "machine " + std::to_string(m) : "";
  }
}

// libbpf's determine_ptr_size aliases.
constexpr std::array<std::string_view, 11> kLongNames{
    "long", "long int", "int long", "unsigned long", "long unsigned", "unsigned long int",
    "unsigned int long", "long unsigned int", "long int unsigned", "int unsigned long",
    "int long unsigned"};

}  // namespace

std::optional<Target> parse_target(std::string_view spec) {
  Target t;
  t.from = TargetFrom::Option;
  if (spec.size() == 4 && (spec.substr(0, 2) == "32" || spec.substr(0, 2) == "64") &&
      (spec.substr(2) == "le" || spec.substr(2) == "be")) {
    t.ptr_size = spec[0] == '3' ? 4 : 8;
    t.endian = spec.substr(2) == "le" ? Endian::Little : Endian::Big;
    return t;
  }
  for (const Arch& a : kArches) {
    if (a.name != spec) continue;
    t.ptr_size = a.ptr_size;
    t.endian = a.endian;
    t.arch = std::string(spec);
    return t;
  }
  return std::nullopt;
}

std::string target_spellings() {
  std::string s = "32le, 32be, 64le, 64be";
  for (const Arch& a : kArches) s += ", " + std::string(a.name);
  return s;
}

std::optional<Target> elf_target(uint8_t ei_class, uint8_t ei_data, uint16_t e_machine) {
  if ((ei_class != 1 && ei_class != 2) || (ei_data != 1 && ei_data != 2)) return std::nullopt;
  Target t;
  t.from = TargetFrom::Elf;
  t.ptr_size = ei_class == 1 ? 4 : 8;
  t.endian = ei_data == 1 ? Endian::Little : Endian::Big;
  t.arch = machine_name(e_machine, t.ptr_size, t.endian);
  return t;
}

uint32_t long_size(const Btf& btf) {
  if (btf.base())
    if (uint32_t s = long_size(*btf.base())) return s;
  for (uint32_t id = btf.start_id(); id < btf.type_count(); ++id) {
    const Type t = btf.type(id);
    if (t.kind() != uint32_t(Kind::Int) || (t.size() != 4 && t.size() != 8)) continue;
    const char* name = btf.c_str(t.name_off());
    const std::string_view n = name ? std::string_view(name) : btf.str_or_empty(t.name_off());
    for (std::string_view alias : kLongNames)
      if (n == alias) return t.size();
  }
  return 0;
}

std::string target_spec(const Target& t) {
  return std::to_string(t.ptr_size * 8) + (t.endian == Endian::Little ? "le" : "be");
}

std::string_view target_from_name(TargetFrom f) {
  switch (f) {
    case TargetFrom::Elf: return "elf";
    case TargetFrom::Option: return "option";
    case TargetFrom::Btf: return "btf";
    case TargetFrom::Assumed: return "assumed";
  }
  return "assumed";
}

std::string describe(const Target& t) {
  std::string s = std::to_string(t.ptr_size * 8) + "-bit " +
                  (t.endian == Endian::Little ? "little" : "big") + "-endian (";
  if (!t.arch.empty()) s += t.arch + ", ";
  switch (t.from) {
    case TargetFrom::Elf: s += "from the ELF header"; break;
    case TargetFrom::Option: s += "from --target"; break;
    case TargetFrom::Btf: s += "from the BTF: sizeof(long) = " + std::to_string(t.ptr_size); break;
    case TargetFrom::Assumed: s += "assumed: the BTF has no long; use --target"; break;
  }
  return s + ")";
}

std::string target_json(const Target& t) {
  return "{\"pointer_size\":" + std::to_string(t.ptr_size) + ",\"byte_order\":\"" +
         (t.endian == Endian::Little ? "little" : "big") + "\",\"arch\":" + json_quote(t.arch) +
         ",\"from\":\"" + std::string(target_from_name(t.from)) + "\"}";
}

std::string target_difference(const Target& a, const Target& b) {
  std::string why;
  if (a.known() && b.known() && a.ptr_size != b.ptr_size)
    why = std::to_string(a.ptr_size) + "-byte vs " + std::to_string(b.ptr_size) + "-byte pointers";
  if (a.endian != b.endian)
    why += std::string(why.empty() ? "" : ", ") +
           (a.endian == Endian::Little ? "little" : "big") + "- vs " +
           (b.endian == Endian::Little ? "little" : "big") + "-endian";
  return why;
}

std::vector<Error> target_conflicts(const Btf& btf) {
  std::vector<Error> out;
  const Target& t = btf.target();
  if (t.from != TargetFrom::Elf && t.from != TargetFrom::Option) return out;
  const std::string where = t.from == TargetFrom::Elf ? "its ELF header" : "--target";
  if (const uint32_t l = long_size(btf); l && l != t.ptr_size) {
    Error e = btf.error("target.mismatch",
                        "pointer size contradicts " + where + ": the BTF's long is " +
                            std::to_string(l) + " bytes, " + where + " says " +
                            describe(t));
    e.offset = 0;
    out.push_back(std::move(e));
  }
  if (btf.endian() != t.endian) {
    Error e = btf.error("target.endian",
                        std::string("byte order contradicts ") + where + ": the BTF is " +
                            (btf.endian() == Endian::Little ? "little" : "big") + "-endian, " +
                            where + " says " + describe(t));
    e.offset = 0;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace btfcheck::btf
