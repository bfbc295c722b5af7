// Internal to the fixup stage: the Fixer that runs libbpf's steps on one object (see the
// design comment in fixup.cc), shared by fixup.cc (DATASECs, subprograms) and externs.cc
// (.kconfig / .ksyms externs).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "btf/error.h"
#include "btf/kinds.h"
#include "encoder/fixup/btf_edit.h"
#include "encoder/fixup/elf_facts.h"
#include "encoder/fixup/fixup.h"

namespace btfcheck::fixup::detail {

using btf::Kind;

constexpr uint32_t kLinkStatic = 0, kLinkGlobal = 1, kLinkExtern = 2;
constexpr char kKconfig[] = ".kconfig";
constexpr char kKsyms[] = ".ksyms";
constexpr char kDummy[] = "dummy_ksym";

inline const char* linkage_name(uint32_t l) {
  switch (l) {
    case kLinkStatic: return "static";
    case kLinkGlobal: return "global";
    case kLinkExtern: return "extern";
    default: return "invalid";
  }
}

inline std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

struct Extern {
  enum Type : uint8_t { Kcfg = 1, Ksym = 2 } type = Kcfg;   // libbpf: EXT_KCFG < EXT_KSYM
  std::string name;
  uint32_t btf_id = 0, sec_id = 0;
  bool weak = false;
  uint64_t size = 0;
  uint32_t align = 1;
  uint64_t data_off = 0;
};

class Fixer {
 public:
  Fixer(const ElfFacts& elf, BtfEdit& b, Report* report) : elf_(elf), b_(b), report_(report) {}

  std::optional<Error> collect_externs();
  std::optional<Error> fixup_datasecs();
  void mark_hidden_subprogs_static();

 private:
  Error error(const char* rule, std::string message, std::string section = ".BTF",
              uint32_t type_id = 0, std::optional<uint32_t> member = std::nullopt) const {
    Error e;
    e.rule = rule;
    e.message = std::move(message);
    e.file = elf_.path;
    e.section = std::move(section);
    if (b_.valid(type_id)) {
      e.type_id = type_id;
      e.offset = b_.offset(type_id);
    }
    e.member = member;
    return e;
  }
  void act(std::string line) {
    if (report_) report_->actions.push_back(std::move(line));
  }
  void note(std::string line) {
    if (report_) report_->notes.push_back(std::move(line));
  }
  std::string describe(uint32_t id) const {
    return std::string(btf::kind_name(b_.kind(id))) + " " + quote(b_.name(id)) + " [" +
           std::to_string(id) + "]";
  }
  void set_word(uint32_t id, size_t w, uint32_t v) { b_.rec(id)[w] = v; }

  uint32_t find_datasec(std::string_view name) const;
  uint32_t find_int32() const;
  std::optional<Error> find_extern_btf(const ElfSymbol& sym, Extern& ext) const;
  std::optional<Error> fill_kcfg(Extern& ext) const;
  std::optional<Error> fixup_ksyms(uint32_t sec, uint32_t dummy);
  std::optional<Error> fixup_kconfig(uint32_t sec);
  std::optional<Error> fixup_datasec(uint32_t sec);
  void sort_entries(uint32_t sec);
  const Extern* find_extern(std::string_view name) const {
    for (const Extern& e : externs_)
      if (e.name == name) return &e;
    return nullptr;
  }

  const ElfFacts& elf_;
  BtfEdit& b_;
  Report* report_;
  std::vector<Extern> externs_;
  // GLOBAL/WEAK STT_OBJECT symbols by name (first of each name), for find_elf_var_sym.
  std::map<std::string_view, const ElfSymbol*> var_syms_;
  std::optional<uint32_t> first_bad_var_sym_;
};

}  // namespace btfcheck::fixup::detail
