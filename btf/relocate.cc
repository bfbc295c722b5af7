// relocate(): libbpf's btf__relocate semantics (see relocate.h), reporting every failure.
//
// Design: four passes. (1) check_distilled_base(). (2) Which distilled STRUCT/UNION types the
// split BTF embeds by value. (3) One walk over the full base in id order: each named type of
// a relocatable kind is offered to the distilled types of its name, and taken by those whose
// rules it passes; a second taker is an ambiguity. (4) Types left unmatched are explained by
// looking again at the full base's types of their name (explain()). Only when nothing is
// left is the split's type section rewritten, in a copy of its bytes.
#include "btf/relocate.h"

#include <string_view>
#include <unordered_map>

#include "btf/json.h"
#include "btf/kinds.h"
#include "btf/write.h"

namespace btfcheck::btf {
namespace {

// libbpf keeps sizes in a 31-bit field when it compares them.
constexpr uint32_t kSizeMask = 0x7fffffff;

bool distillable(uint32_t k) {
  switch (Kind(k)) {
    case Kind::Int: case Kind::Float: case Kind::Enum: case Kind::Struct: case Kind::Union:
    case Kind::Fwd:
      return true;
    default:
      return false;
  }
}

// The full-base kinds relocation looks at.
bool relocatable(uint32_t k) { return distillable(k) || k == uint32_t(Kind::Enum64); }

RelocateFinding finding(const Btf& b, const Type& t, std::string rule, std::string message) {
  RelocateFinding f;
  f.error = b.error(std::move(rule), std::move(message));
  f.error.offset = t.offset();
  f.error.type_id = t.id();
  f.kind = std::string(t.kind_name());
  f.name = std::string(t.name());
  return f;
}

std::string encoding_name(uint32_t e) {
  if (e == 0) return "none";
  std::string s;
  if (e & 1) s += "SIGNED";
  if (e & 2) s += std::string(s.empty() ? "" : "|") + "CHAR";
  if (e & 4) s += std::string(s.empty() ? "" : "|") + "BOOL";
  if (e & ~7u) s += std::string(s.empty() ? "" : "|") + std::to_string(e & ~7u);
  return s;
}

// "UNION [123] size 8" (FWD: "FWD [7] (union)").
std::string brief(const Type& t) {
  std::string s = std::string(t.kind_name()) + " [" + std::to_string(t.id()) + "]";
  if (t.kind() == uint32_t(Kind::Fwd)) return s + (t.kflag() ? " (union)" : " (struct)");
  s += " size " + std::to_string(t.size());
  if (t.kind() == uint32_t(Kind::Int)) s += " " + encoding_name(t.int_encoding());
  return s;
}

// Does full-base type `b` have a kind (and encoding, FWD flavour) that distilled `d` can take?
bool kind_compatible(const Type& d, const Type& b) {
  const auto dk = Kind(d.kind()), bk = Kind(b.kind());
  switch (dk) {
    case Kind::Fwd:
      if (bk == Kind::Fwd) return d.kflag() == b.kflag();
      return (bk == Kind::Struct && !b.kflag()) || (bk == Kind::Union && b.kflag());
    case Kind::Int:
      return bk == Kind::Int && b.int_encoding() == d.int_encoding();
    case Kind::Float:
      return bk == Kind::Float;
    case Kind::Enum:
      return bk == Kind::Enum || bk == Kind::Enum64;
    case Kind::Struct:
    case Kind::Union:
      return bk == dk;
    default:
      return false;
  }
}

struct Matcher {
  const Btf& split;
  const Btf& dist;
  const Btf& onto;
  std::vector<uint32_t> embedded;   // by distilled id: the first split type embedding it
  std::unordered_map<uint32_t, uint32_t> composites;   // onto's STRUCT/UNION per name offset
  std::vector<uint32_t> map, second;   // by distilled id: the match, a second match
  std::vector<uint8_t> invalid;        // by distilled id: failed check_distilled_base

  // Pass 2: libbpf's btf_mark_embedded_composite_type_ids, bounded against typedef loops.
  void mark_embedded() {
    embedded.assign(dist.type_count(), 0);
    const uint32_t limit = split.type_count();
    for (uint32_t id = split.start_id(); id < split.type_count(); ++id) {
      const Type t = split.type(id);
      if (!is_composite(t.kind())) continue;
      for (uint32_t i = 0; i < t.vlen(); ++i) {
        uint32_t next = t.member(i).type;
        for (uint32_t steps = 0; next && split.valid_id(next) && steps < limit; ++steps) {
          const Type n = split.type(next);
          if (is_modifier_or_typedef(n.kind())) {
            next = n.type();
          } else if (n.kind() == uint32_t(Kind::Array)) {
            next = n.array().type;
          } else {
            if (is_composite(n.kind()) && next < dist.type_count() && !embedded[next])
              embedded[next] = id;
            next = 0;
          }
        }
      }
    }
  }

  // Does onto's `b` (a relocatable kind) pass every rule for distilled `d`?
  bool takes(const Type& d, const Type& b) const {
    const uint32_t bk = b.kind();
    bool needs_size = false;
    if (bk == uint32_t(Kind::Fwd)) needs_size = false;
    else if (is_composite(bk)) needs_size = composites.at(b.name_off()) > 1;
    else needs_size = true;
    if (needs_size && (d.size() & kSizeMask) != (b.size() & kSizeMask)) return false;
    if (!kind_compatible(d, b)) return false;
    if (is_composite(d.kind()) && embedded[d.id()] && d.size() != b.size()) return false;
    return true;
  }

  // Pass 3.
  void match() {
    std::unordered_map<std::string_view, std::vector<uint32_t>> by_name;
    for (uint32_t id = 1; id < dist.type_count(); ++id)
      if (!invalid[id]) by_name[dist.type(id).name()].push_back(id);
    for (uint32_t id = 1; id < onto.type_count(); ++id) {
      const Type b = onto.type(id);
      if (b.name_off() && is_composite(b.kind())) ++composites[b.name_off()];
    }
    map.assign(dist.type_count(), 0);
    second.assign(dist.type_count(), 0);
    for (uint32_t id = 1; id < onto.type_count(); ++id) {
      const Type b = onto.type(id);
      if (!b.name_off() || !relocatable(b.kind())) continue;
      auto it = by_name.find(b.name());
      if (it == by_name.end()) continue;
      for (uint32_t d : it->second) {
        if (!takes(dist.type(d), b)) continue;
        if (!map[d]) map[d] = id;
        else if (!second[d]) second[d] = id;
      }
    }
  }

  // Pass 4: why distilled `d` has no match (or two).
  RelocateFinding explain(uint32_t d, const std::vector<uint32_t>& same_name) const {
    const Type t = dist.type(d);
    const std::string in = " in " + onto.file();
    if (second[d])
      return finding(dist, t, "relocate.ambiguous",
                     "two candidates" + in + ": " + brief(onto.type(map[d])) + " and " +
                         brief(onto.type(second[d])) +
                         " (the kernel: has multiple candidates of the same size)");
    std::string what = is_composite(t.kind()) || t.kind() == uint32_t(Kind::Fwd)
                           ? std::string()
                           : " of size " + std::to_string(t.size());
    if (same_name.empty())
      return finding(dist, t, "relocate.missing",
                     "no INT, FLOAT, ENUM, ENUM64, STRUCT, UNION or FWD of this name" + what + in + " (the kernel: is not mapped to base BTF id)");
    std::string seen;
    uint32_t listed = 0, compatible = 0;
    for (uint32_t id : same_name) {
      const Type b = onto.type(id);
      if (kind_compatible(t, b)) ++compatible;
      if (listed++ < 4) seen += (seen.empty() ? "" : ", ") + brief(b);
    }
    if (same_name.size() > 4) seen += ", ... (" + std::to_string(same_name.size()) + " in all)";
    if (!compatible) {
      std::string here = t.kind() == uint32_t(Kind::Fwd) ? (t.kflag() ? "a union FWD" : "a struct FWD")
                         : t.kind() == uint32_t(Kind::Int) ? "an INT of encoding " + encoding_name(t.int_encoding())
                                                           : "a " + std::string(t.kind_name());
      return finding(dist, t, "relocate.kind",
                     "the module wants " + here + "; " + onto.file() + " has " + seen +
                         " (the kernel: is not mapped to base BTF id)");
    }
    std::string why;
    if (is_composite(t.kind()) && embedded[d])
      why = "embedded by value in the module's " +
            std::string(split.type(embedded[d]).kind_name()) + " '" +
            std::string(split.type(embedded[d]).name()) + "' [" + std::to_string(embedded[d]) +
            "], so the size must be " + std::to_string(t.size());
    else if (is_composite(t.kind()) || t.kind() == uint32_t(Kind::Fwd))
      why = "the name is shared by several STRUCT/UNION types there, so the size must be " +
            std::to_string(t.size());
    else
      why = "the size must be " + std::to_string(t.size());
    return finding(dist, t, "relocate.size",
                   why + "; " + onto.file() + " has " + seen +
                       " (the kernel: is not mapped to base BTF id)");
  }

  // The full base's relocatable types named like each unmatched distilled type.
  std::unordered_map<std::string_view, std::vector<uint32_t>> same_names(
      const std::vector<uint32_t>& unmatched) const {
    std::unordered_map<std::string_view, std::vector<uint32_t>> out;
    for (uint32_t d : unmatched) out[dist.type(d).name()];
    for (uint32_t id = 1; id < onto.type_count(); ++id) {
      const Type b = onto.type(id);
      if (!b.name_off() || !relocatable(b.kind())) continue;
      auto it = out.find(b.name());
      if (it != out.end()) it->second.push_back(id);
    }
    return out;
  }
};

}  // namespace

// "STRUCT 'foo': " ("" for a finding about no type).
std::string RelocateFinding::label() const {
  if (kind.empty()) return "";
  return kind + (name.empty() ? std::string(" (anon)") : " '" + name + "'") + ": ";
}

std::string RelocateFinding::str() const {
  Error e = error;
  e.message = label() + e.message;
  return e.str();
}

std::vector<RelocateFinding> check_distilled_base(const Btf& base) {
  std::vector<RelocateFinding> out;
  for (uint32_t id = base.start_id(); id < base.type_count(); ++id) {
    const Type t = base.type(id);
    if (!distillable(t.kind())) {
      std::string msg = "a distilled base holds only named INT, FLOAT, ENUM, STRUCT, UNION and FWD";
      if (t.kind() == uint32_t(Kind::Enum64)) msg += " (an ENUM64 is written as a sized ENUM)";
      out.push_back(finding(base, t, "distilled.kind",
                            msg + " (the kernel: in distilled based BTF has unexpected kind [" +
                                std::to_string(t.kind()) + "])"));
    } else if (!t.name_off()) {
      out.push_back(finding(base, t, "distilled.anon",
                            "a distilled base holds only named types (the kernel: is invalid for "
                            "distilled base BTF; it is anonymous)"));
    }
  }
  return out;
}

Relocation relocate(const Btf& split, std::shared_ptr<const Btf> onto_ptr) {
  Relocation r;
  const Btf* dist = split.base();
  if (!dist || dist->base() || !onto_ptr) {
    RelocateFinding f;
    f.error = split.error("relocate.no-distilled-base",
                          !dist ? "not split BTF on a distilled base (no .BTF.base)"
                                : "the base is itself split BTF, not a distilled base");
    r.findings.push_back(std::move(f));
    return r;
  }
  const Btf& onto = *onto_ptr;
  Matcher m{split, *dist, onto, {}, {}, {}, {}, std::vector<uint8_t>(dist->type_count(), 0)};
  for (RelocateFinding& f : check_distilled_base(*dist)) {
    m.invalid[*f.error.type_id] = 1;
    r.findings.push_back(std::move(f));
  }
  m.mark_embedded();
  m.match();
  std::vector<uint32_t> unmatched;
  std::unordered_map<uint32_t, uint32_t> str_map;   // distilled name offset -> onto's
  for (uint32_t d = 1; d < dist->type_count(); ++d) {
    if (m.invalid[d]) continue;
    if (!m.map[d] || m.second[d]) {
      unmatched.push_back(d);
      continue;
    }
    ++r.mapped;
    str_map[dist->type(d).name_off()] = onto.type(m.map[d]).name_off();
  }
  if (!unmatched.empty()) {
    const auto names = m.same_names(unmatched);
    for (uint32_t d : unmatched) r.findings.push_back(m.explain(d, names.at(dist->type(d).name())));
  }
  if (!r.findings.empty()) return r;

  // Rewrite the split's records in a copy of its bytes.
  const uint32_t n_dist = dist->type_count(), n_split = split.type_count();
  const uint32_t id_shift = onto.type_count() - n_dist;
  const uint32_t dist_str = dist->str_end(), str_shift = onto.str_end() - dist_str;
  r.id_map.resize(n_split);
  for (uint32_t id = 0; id < n_split; ++id)
    r.id_map[id] = id < n_dist ? m.map[id] : id + id_shift;
  std::vector<uint8_t> bytes(split.bytes().begin(), split.bytes().end());
  for (uint32_t id = split.start_id(); id < n_split; ++id) {
    const Type t = split.type(id);
    auto put = [&](uint32_t w, uint32_t v) { put_words(bytes.data() + t.offset() + 4ull * w, {&v, 1}, split.endian()); };
    // An id past the split's types (the kernel would read past its map) stays past them.
    for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) {
      const uint32_t v = t.word(w);
      put(w, v < n_split ? r.id_map[v] : v + id_shift);
    });
    for_each_name_word(t.kind(), t.vlen(), [&](uint32_t w) {
      const uint32_t v = t.word(w);
      if (!v) return;
      if (v >= dist_str) return put(w, v + str_shift);
      auto it = str_map.find(v);
      if (it != str_map.end()) return put(w, it->second);
      RelocateFinding f = finding(split, t, "relocate.string",
                                  "name offset " + std::to_string(v) + " ('" +
                                      std::string(dist->str_or_empty(v)) +
                                      "') points into the distilled base's strings but names no "
                                      "distilled type (the kernel: is not mapped to base BTF)");
      f.error.offset = t.offset() + 4ull * w;
      r.findings.push_back(std::move(f));
    });
  }
  if (!r.findings.empty()) {
    r.id_map.clear();
    return r;
  }
  ParseOptions po;
  po.file = split.file();
  po.section = split.section();
  po.base = onto_ptr;
  po.target = split.target();
  po.info = split.info_format();
  auto parsed = Btf::parse(std::move(bytes), std::move(po));
  if (!parsed) {   // the bytes framed before; only the type count can overflow
    RelocateFinding f;
    f.error = parsed.error();
    r.findings.push_back(std::move(f));
    r.id_map.clear();
    return r;
  }
  r.btf = *parsed;
  return r;
}

std::string findings_json(const std::vector<RelocateFinding>& findings, const std::string& file,
                          const std::string& onto_file) {
  std::string o = "{\"file\":" + json_quote(file) + ",\"base\":" + json_quote(onto_file) +
                  ",\"relocated\":" + (findings.empty() ? "true" : "false") + ",\"findings\":[";
  for (size_t i = 0; i < findings.size(); ++i) {
    const RelocateFinding& f = findings[i];
    o += std::string(i ? "," : "") + "\n {\"rule\":" + json_quote(f.error.rule) +
         ",\"type_id\":" + std::to_string(f.error.type_id.value_or(0)) +
         ",\"kind\":" + json_quote(f.kind) + ",\"name\":" + json_quote(f.name) +
         ",\"offset\":" + std::to_string(f.error.offset.value_or(0)) +
         ",\"message\":" + json_quote(f.error.message) + "}";
  }
  return o + "]}\n";
}

Error relocation_error(const std::vector<RelocateFinding>& findings, const std::string& onto_file) {
  Error e = findings.at(0).error;
  e.message = "cannot be relocated onto " + onto_file + ": " + findings[0].label() + e.message;
  if (findings.size() > 1)
    e.message += "; and " + std::to_string(findings.size() - 1) +
                 " more (`btfcheck verify --base` lists them)";
  return e;
}

}  // namespace btfcheck::btf
