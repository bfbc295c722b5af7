// Charging every byte of a blob to one kind and one family (the rules are in size.h).
//
// Design: families are decided in three passes over the blob's own records, all in id order
// so the result depends only on the bytes: (1) every named type that is a root (aggregates,
// typedefs, functions, variables, sections, base types) gets the family its name and kind
// say; (2) from each root in id order a depth-first walk over type references claims the
// anonymous records it reaches that nobody has claimed yet; DECL_TAGs other than kfunc tags
// take their target's family; (3) the string section is charged byte by byte to the family
// of the first record that names each string. Whatever is left is "unreachable anonymous
// types" and "unreferenced strings"; "other" holds decl tags whose target is not charged.
#include "comparator/size/size.h"

#include <string_view>
#include <unordered_map>

#include "btf/kinds.h"

namespace btfcheck::size {
namespace {

using btf::Kind;

constexpr uint32_t kNone = UINT32_MAX;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "sk_buff" -> "sk_*", "__sk_buff" -> "__sk_*", "page" -> "page": the first component of a
// name, leading underscores kept.
std::string prefix_of(std::string_view name) {
  size_t i = 0;
  while (i < name.size() && name[i] == '_') ++i;
  const size_t j = name.find('_', i);
  if (j == std::string_view::npos || j == i) return std::string(name);
  return std::string(name.substr(0, j + 1)) + "*";
}

std::string variable_family(std::string_view n) {
  if (starts_with(n, "__tracepoint_")) return "tracepoints (__tracepoint_*)";
  if (starts_with(n, "__SCK__") || starts_with(n, "__SCT__")) return "static calls (__SCK__*, __SCT__*)";
  if (starts_with(n, "__UNIQUE_ID_")) return "__UNIQUE_ID_*";
  if (starts_with(n, "__ksymtab")) return "__ksymtab*";
  if (starts_with(n, "__initcall")) return "__initcall*";
  return "variables " + prefix_of(n);
}

bool is_root_kind(uint32_t k) {
  switch (Kind(k)) {
    case Kind::Struct: case Kind::Union: case Kind::Enum: case Kind::Enum64: case Kind::Fwd:
    case Kind::Typedef: case Kind::Func: case Kind::Var: case Kind::Datasec: case Kind::Int:
    case Kind::Float: case Kind::DeclTag:
      return true;
    default:
      return false;
  }
}

bool is_kfunc_tag(const btf::Type& t) {
  return Kind(t.kind()) == Kind::DeclTag && starts_with(t.name(), "bpf_");
}

constexpr std::string_view kPercpuSection = ".data..percpu";
// Anonymous records no named type reaches: in kernel BTF the prototypes, pointers and
// constant-holder enums of functions that were not encoded (7.5% of a 6.18 vmlinux).
constexpr const char* kUnreachable = "unreachable anonymous types";

class Charger {
 public:
  explicit Charger(const btf::Btf& b) : b_(b), owner_(b.own_count(), kNone) {}

  Breakdown run() {
    Breakdown out;
    const btf::Header& h = b_.header();
    out.total = b_.bytes().size();
    charge_fixed(out, "header", h.hdr_len);
    mark_percpu_vars();
    name_roots();
    claim_anonymous();
    tag_targets();
    for (uint32_t i = 0; i < b_.own_count(); ++i) charge_record(out, b_.type(b_.start_id() + i));
    charge_strings(out);
    const uint64_t counted = uint64_t(h.hdr_len) + h.type_len + h.str_len;
    if (out.total > counted) charge_fixed(out, "other sections and padding", out.total - counted);
    return out;
  }

 private:
  uint32_t family(const std::string& name) {
    auto [it, added] = index_.try_emplace(name, uint32_t(names_.size()));
    if (added) names_.push_back(name);
    return it->second;
  }
  uint32_t owner_of(uint32_t id) const { return b_.owns(id) ? owner_[id - b_.start_id()] : kNone; }
  void set_owner(uint32_t id, uint32_t f) { owner_[id - b_.start_id()] = f; }

  static void charge_fixed(Breakdown& out, const std::string& line, uint64_t n) {
    out.kinds[line] += n;
    out.families[line] += n;
  }

  // VARs listed in the per-CPU section, whatever their names.
  void mark_percpu_vars() {
    for (uint32_t id = b_.start_id(); id < b_.type_count(); ++id) {
      const btf::Type t = b_.type(id);
      if (Kind(t.kind()) != Kind::Datasec || t.name() != kPercpuSection) continue;
      for (uint32_t i = 0; i < t.vlen(); ++i) {
        const uint32_t v = t.secinfo(i).type;
        if (b_.owns(v) && Kind(b_.type(v).kind()) == Kind::Var) set_owner(v, family("per-CPU variables"));
      }
    }
  }

  void name_roots() {
    for (uint32_t id = b_.start_id(); id < b_.type_count(); ++id) {
      const btf::Type t = b_.type(id);
      if (owner_of(id) != kNone || !is_root_kind(t.kind()) || t.name().empty()) continue;
      const std::string_view n = t.name();
      switch (Kind(t.kind())) {
        case Kind::Func: set_owner(id, family("functions " + prefix_of(n))); break;
        case Kind::Var: set_owner(id, family(variable_family(n))); break;
        case Kind::Datasec:
          set_owner(id, family(n == kPercpuSection ? "per-CPU variables" : "sections (DATASEC)"));
          break;
        case Kind::Int: case Kind::Float: set_owner(id, family("base types")); break;
        case Kind::DeclTag:
          if (is_kfunc_tag(t)) set_owner(id, family("bpf_* kfunc tags"));
          break;   // other tags take their target's family (tag_targets)
        default: set_owner(id, family("types " + prefix_of(n))); break;
      }
    }
  }

  // Depth-first from each named root, in id order: unclaimed own records it reaches are its.
  void claim_anonymous() {
    std::vector<uint32_t> stack;
    for (uint32_t id = b_.start_id(); id < b_.type_count(); ++id) {
      const uint32_t f = owner_of(id);
      if (f == kNone || !is_root_kind(b_.type(id).kind()) || b_.type(id).name().empty()) continue;
      stack.push_back(id);
      while (!stack.empty()) {
        const btf::Type t = b_.type(stack.back());
        stack.pop_back();
        btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) {
          const uint32_t r = t.word(w);
          if (!b_.owns(r) || owner_of(r) != kNone) return;
          const btf::Type rt = b_.type(r);
          if (is_root_kind(rt.kind()) && !rt.name().empty()) return;   // a root of its own
          set_owner(r, f);
          stack.push_back(r);
        });
      }
    }
  }

  // A DECL_TAG annotates its target: same family (the target may come later in id order).
  void tag_targets() {
    for (uint32_t id = b_.start_id(); id < b_.type_count(); ++id) {
      const btf::Type t = b_.type(id);
      if (Kind(t.kind()) != Kind::DeclTag || owner_of(id) != kNone) continue;
      const uint32_t target = owner_of(t.type());
      set_owner(id, target != kNone ? target : family("other"));
    }
  }

  void charge_record(Breakdown& out, const btf::Type& t) {
    uint32_t f = owner_of(t.id());
    if (f == kNone) f = family(kUnreachable);
    const uint64_t bytes = 4ull * t.words();
    out.kinds[std::string(t.kind_name())] += bytes;
    if (Kind(t.kind()) != Kind::Datasec) {
      fam_bytes_[f] += bytes;
      return;
    }
    // 12-byte head to the section, each 12-byte entry to the variable it lists.
    fam_bytes_[f] += 12;
    for (uint32_t i = 0; i < t.vlen(); ++i) {
      const uint32_t v = owner_of(t.secinfo(i).type);
      fam_bytes_[v != kNone ? v : f] += 12;
    }
  }

  void charge_strings(Breakdown& out) {
    const std::span<const uint8_t> s = b_.strings();
    std::vector<uint32_t> byte_owner(s.size(), kNone);
    for (uint32_t id = b_.start_id(); id < b_.type_count(); ++id) {
      const btf::Type t = b_.type(id);
      uint32_t f = owner_of(id);
      if (f == kNone) f = family(kUnreachable);
      btf::for_each_name_word(t.kind(), t.vlen(), [&](uint32_t w) {
        const uint32_t off = t.word(w);
        if (off == 0 || off < b_.start_str_off()) return;   // no name, or the base's string
        const uint64_t lo = off - b_.start_str_off();
        if (lo >= s.size()) return;
        for (uint64_t i = lo; i < s.size(); ++i) {
          if (byte_owner[i] == kNone) byte_owner[i] = f;
          if (s[i] == 0) break;
        }
      });
    }
    out.kinds["strings"] += s.size();
    uint64_t unreferenced = 0;
    for (uint32_t o : byte_owner) {
      if (o == kNone) ++unreferenced;
      else ++fam_bytes_[o];
    }
    for (const auto& [f, n] : fam_bytes_) out.families[names_[f]] += n;
    if (unreferenced) out.families["unreferenced strings"] += unreferenced;
  }

  const btf::Btf& b_;
  std::vector<uint32_t> owner_;                   // own record -> family
  std::vector<std::string> names_;                // family index -> name
  std::unordered_map<std::string, uint32_t> index_;
  std::map<uint32_t, uint64_t> fam_bytes_;
};

}  // namespace

Breakdown breakdown(const btf::Btf& btf) { return Charger(btf).run(); }

}  // namespace btfcheck::size
