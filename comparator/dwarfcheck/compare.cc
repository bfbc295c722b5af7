// Comparing one DWARF definition (or one BTF FUNC) with its BTF counterparts.
//
// Design:
// - Types: a DWARF definition's candidates are the BTF types with the same definition key
//   (kind + name; anonymous enums by their first enumerator). It matches when one candidate
//   gives no finding. Otherwise the candidate with the fewest findings (then the lowest id)
//   is reported, so the findings say how the nearest BTF type differs. No candidate at all
//   is dwarf.missing-type (a definition with only a FWD in BTF included). A DWARF
//   declaration matches any definition or FWD of that kind and name.
// - Bodies pair by path. Within a body, members pair by position when the counts agree,
//   otherwise by name (after one dwarf.member-count finding), so one changed field gives
//   one finding. Nested bodies missing on the BTF side are already reported by the parent
//   member whose type shape differs. Enumerators pair by name: each missing, extra or
//   changed one is a finding of its own, naming it and carrying its value.
// - Functions: the FUNC's symbol addresses (a static function may have several), the DWARF
//   subprograms whose entry is at one of them (at the symbol plus the target's entry offset
//   for it, func_entries.cc); the FUNC matches when one of them has the
//   same return shape, parameter shapes and varargs; else the nearest is reported.
#include "comparator/dwarfcheck/compare.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace btfcheck::dwarfcheck::detail {
namespace {

Finding make(std::string rule, std::string path, std::string expected, std::string found,
             std::string message) {
  Finding f;
  f.rule = std::move(rule);
  f.path = std::move(path);
  f.expected = std::move(expected);
  f.found = std::move(found);
  f.message = std::move(message);
  return f;
}

std::string member_label(const Field& f, size_t i) {
  return f.name.empty() ? "(anon member #" + std::to_string(i) + ")" : f.name;
}

void compare_field(const Body& body, const Field& d, const Field& b, size_t i,
                   std::vector<Finding>& out) {
  const std::string path = body.path + "." + member_label(d, i);
  if (d.bit_offset != b.bit_offset)
    out.push_back(make("dwarf.member-offset", path, std::to_string(d.bit_offset),
                       std::to_string(b.bit_offset), "member bit offset differs"));
  if (d.bitfield != b.bitfield)
    out.push_back(make("dwarf.bitfield-size", path, std::to_string(d.bitfield),
                       std::to_string(b.bitfield), "bitfield size differs (0 = not a bitfield)"));
  if (d.type != b.type)
    out.push_back(make("dwarf.member-type", path, d.type, b.type, "member type differs"));
}

// Enumerators pair by name (in order, should a name repeat). Each DWARF enumerator BTF
// lacks is one dwarf.enum-missing finding, each BTF enumerator the DWARF lacks one
// dwarf.enum-extra, both with the value; a missing and an extra one at the same position
// are one renamed enumerator (dwarf.enum-name). Paired ones must agree in value.
void compare_enumerators(const Body& d, const Body& b, std::vector<Finding>& out) {
  std::map<std::string, std::vector<size_t>> by_name;   // BTF positions, in reverse order
  for (size_t j = b.values.size(); j-- > 0;) by_name[b.values[j].name].push_back(j);
  std::vector<uint8_t> paired(b.values.size(), 0);
  std::vector<int64_t> pair_of(d.values.size(), -1);
  for (size_t i = 0; i < d.values.size(); ++i)
    if (auto it = by_name.find(d.values[i].name); it != by_name.end() && !it->second.empty()) {
      pair_of[i] = int64_t(it->second.back());
      paired[it->second.back()] = 1;
      it->second.pop_back();
    }
  for (size_t i = 0; i < d.values.size(); ++i) {
    const Enumerator& x = d.values[i];
    const std::string path = d.path + "." + x.name;
    if (pair_of[i] >= 0) {
      const Enumerator& y = b.values[size_t(pair_of[i])];
      if (!values_agree(x.value, y.value))
        out.push_back(make("dwarf.enum-value", path, value_text(x.value), value_text(y.value),
                           "enumerator value differs"));
    } else if (i < b.values.size() && !paired[i]) {
      const Enumerator& y = b.values[i];
      paired[i] = 1;
      out.push_back(make("dwarf.enum-name", path, x.name, y.name,
                         "enumerator " + std::to_string(i) + " (= " + value_text(x.value) +
                             (values_agree(x.value, y.value) ? "" : ", in BTF " + value_text(y.value)) +
                             ") has another name"));
    } else {
      out.push_back(make("dwarf.enum-missing", path, value_text(x.value), "(none)",
                         "enumerator missing from BTF"));
    }
  }
  for (size_t j = 0; j < b.values.size(); ++j)
    if (!paired[j])
      out.push_back(make("dwarf.enum-extra", d.path + "." + b.values[j].name, "(none)",
                         value_text(b.values[j].value), "enumerator not in DWARF"));
}

void compare_body(const Body& d, const Body& b, std::vector<Finding>& out) {
  if (d.size != b.size)
    out.push_back(make("dwarf.size", d.path, std::to_string(d.size), std::to_string(b.size),
                       "byte size differs"));
  if (d.kind == 'e') return compare_enumerators(d, b, out);
  if (d.fields.size() == b.fields.size()) {
    for (size_t i = 0; i < d.fields.size(); ++i) {
      const Field &x = d.fields[i], &y = b.fields[i];
      if (x.name != y.name)
        out.push_back(make("dwarf.member-name", d.path + "." + member_label(x, i),
                           x.name.empty() ? "(anon)" : x.name, y.name.empty() ? "(anon)" : y.name,
                           "member " + std::to_string(i) + " has another name"));
      compare_field(d, x, y, i, out);
    }
    return;
  }
  // Counts differ: name the first member that is not where it should be, then compare the
  // named members both sides have.
  std::string first;
  for (size_t i = 0; i < std::max(d.fields.size(), b.fields.size()); ++i) {
    if (i >= d.fields.size()) { first = "extra BTF member '" + b.fields[i].name + "'"; break; }
    if (i >= b.fields.size()) { first = "missing member '" + d.fields[i].name + "'"; break; }
    if (d.fields[i].name != b.fields[i].name) {
      first = "member " + std::to_string(i) + " is '" + d.fields[i].name + "' in DWARF, '" +
              b.fields[i].name + "' in BTF";
      break;
    }
  }
  out.push_back(make("dwarf.member-count", d.path, std::to_string(d.fields.size()),
                     std::to_string(b.fields.size()), "number of members differs: " + first));
  std::map<std::string, const Field*> by_name;
  for (const Field& y : b.fields)
    if (!y.name.empty()) by_name.emplace(y.name, &y);
  for (size_t i = 0; i < d.fields.size(); ++i) {
    const Field& x = d.fields[i];
    if (x.name.empty()) continue;
    if (auto it = by_name.find(x.name); it != by_name.end()) compare_field(d, x, *it->second, i, out);
  }
}

std::vector<Finding> compare_defs(const Def& d, const Def& b) {
  std::vector<Finding> out;
  if (d.kind == DefKind::Typedef && d.target != b.target)
    out.push_back(make("dwarf.typedef-target", def_key(d.kind, d.name), d.target, b.target,
                       "typedef target differs"));
  std::map<std::string, const Body*> by_path;
  for (const Body& y : b.bodies) by_path.emplace(y.path, &y);
  for (const Body& x : d.bodies)
    if (auto it = by_path.find(x.path); it != by_path.end()) compare_body(x, *it->second, out);
  return out;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::vector<Finding> compare_sigs(const std::string& fname, const FuncSig& d, const FuncSig& b) {
  std::vector<Finding> out;
  const std::string base = "func " + fname;
  if (d.ret != b.ret)
    out.push_back(make("dwarf.func-proto", base + ".return", d.ret, b.ret, "return type differs"));
  if (d.params.size() != b.params.size())
    out.push_back(make("dwarf.func-proto", base + ".params", std::to_string(d.params.size()),
                       std::to_string(b.params.size()), "number of parameters differs"));
  for (size_t i = 0; i < std::min(d.params.size(), b.params.size()); ++i)
    if (d.params[i] != b.params[i])
      out.push_back(make("dwarf.func-proto",
                         base + ".param " + std::to_string(i + 1) +
                             (d.names[i].empty() ? "" : " (" + d.names[i] + ")"),
                         d.params[i], b.params[i], "parameter type differs"));
  if (d.varargs != b.varargs)
    out.push_back(make("dwarf.func-proto", base + ".varargs", d.varargs ? "yes" : "no",
                       b.varargs ? "yes" : "no", "varargs differ"));
  return out;
}

const char* kind_label(DefKind k) {
  switch (k) {
    case DefKind::Struct: return "STRUCT";
    case DefKind::Union: return "UNION";
    case DefKind::Enum: return "ENUM";
    case DefKind::Typedef: return "TYPEDEF";
  }
  return "";
}

}  // namespace

std::vector<Finding> check_def(const DwarfDef& dd, BtfModel& btf) {
  const Def& d = dd.def;
  const std::string key = def_key(d.kind, d.name);
  const std::vector<uint32_t>& cands = btf.candidates(key);
  auto stamp = [&](std::vector<Finding> v, uint32_t id) {
    for (Finding& f : v) {
      f.type_id = id;
      f.kind = id ? std::string(btf.btf().type(id).kind_name()) : "";
      f.cu = dd.cu;
      f.die = dd.die;
    }
    return v;
  };
  if (d.declaration) {
    const bool fwd = (d.kind == DefKind::Struct || d.kind == DefKind::Union) && btf.has_fwd(d.kind, d.name);
    if (cands.empty() && !fwd)
      return stamp({make("dwarf.missing-type", key, "declaration", "(none)",
                         "no BTF FWD or definition for a type the DWARF declares")}, 0);
    return {};
  }
  if (cands.empty()) {
    const bool fwd = (d.kind == DefKind::Struct || d.kind == DefKind::Union) && btf.has_fwd(d.kind, d.name);
    return stamp({make("dwarf.missing-type", key, std::string("definition (") + kind_label(d.kind) + ")",
                       fwd ? "FWD only" : "(none)",
                       fwd ? "BTF has only a forward declaration of a type the DWARF defines"
                           : "no BTF type of this kind and name")},
                 0);
  }
  std::vector<Finding> best;
  uint32_t best_id = 0;
  for (uint32_t id : cands) {
    std::vector<Finding> f = compare_defs(d, btf.def(id));
    if (f.empty()) return {};
    if (best_id == 0 || f.size() < best.size()) {
      best = std::move(f);
      best_id = id;
    }
  }
  return stamp(std::move(best), best_id);
}

std::vector<Finding> check_func(uint32_t func_id, BtfModel& btf, const DwarfData& dwarf,
                                FuncMatch* match) {
  *match = FuncMatch::None;
  const btf::Type t = btf.btf().type(func_id);
  const std::string name(t.name());
  auto stamp = [&](std::vector<Finding> v, const DwarfFunc* df) {
    for (Finding& f : v) {
      f.type_id = func_id;
      f.kind = "FUNC";
      if (df) {
        f.cu = df->cu;
        f.die = df->die;
      }
    }
    return v;
  };
  const std::string path = "func " + name;
  auto sym = dwarf.symbols.find(name);
  if (name.empty() || sym == dwarf.symbols.end())
    return stamp({make("dwarf.func-no-symbol", path, "an ELF function symbol", "(none)",
                       "no defined function symbol of this name in the ELF symbol table")},
                 nullptr);
  std::vector<const DwarfFunc*> subs;
  std::string addrs;
  for (uint64_t a : sym->second) {
    addrs += (addrs.empty() ? "" : ",") + hex(a);
    if (auto it = dwarf.funcs.find(a); it != dwarf.funcs.end())
      for (const DwarfFunc& df : it->second) subs.push_back(&df);
  }
  static const std::vector<DwarfFunc> kNoOthers;
  auto oit = dwarf.others.find(name);
  const std::vector<DwarfFunc>& others = oit == dwarf.others.end() ? kNoOthers : oit->second;
  std::string why;
  std::optional<FuncSig> sig = btf.signature(func_id, why);
  // Subprograms of another name at the address: the symbol is an alias of that function's
  // code (`alias("native_sched_clock")`, or gcc -fipa-icf merged two identical bodies of
  // one unit under both names). They say nothing about this name's prototype.
  std::erase_if(subs, [&](const DwarfFunc* df) { return !df->assembler && df->name != name; });
  if (subs.empty()) {
    // No subprogram of this name at the address: a thunk or an alias (above). The name's
    // other definitions stand in, when they agree on one prototype.
    std::vector<const DwarfFunc*> addressless;
    for (const DwarfFunc& o : others) addressless.push_back(&o);
    if (addressless.empty())
      return stamp({make("dwarf.func-no-dwarf", path, "a DWARF subprogram at " + addrs, "(none)",
                         "no DWARF subprogram of this name starts at the symbol's address and "
                         "the name has no other definition")},
                   nullptr);
    const DwarfFunc* near = addressless.front();
    bool one_prototype = true;
    for (const DwarfFunc* o : addressless) one_prototype &= same_sig(o->sig, near->sig);
    if (sig && one_prototype && same_sig(near->sig, *sig)) {
      *match = FuncMatch::ByDefinition;   // the thunk's target has the name's one prototype
      return {};
    }
    std::string agrees = "its prototype differs from BTF's";
    if (sig)
      for (const DwarfFunc* o : addressless)
        if (same_sig(o->sig, *sig)) {
          near = o;
          agrees = "its prototype agrees with BTF's";
          break;
        }
    return stamp({make("dwarf.func-no-address", path, "a DWARF subprogram at " + addrs,
                       "a definition without address: " + sig_text(near->sig),
                       "no DWARF subprogram of this name starts at the symbol's address (gcc "
                       "-fipa-icf folded it into an identical function, or it is an alias) and "
                       "the name's other definitions " +
                           std::string(one_prototype ? "have one prototype" : "disagree") + "; " +
                           agrees)},
                 near);
  }
  *match = FuncMatch::AtEntry;
  if (!sig)
    return stamp({make("dwarf.func-proto", path, "FUNC_PROTO", "(none)", why)}, subs.front());
  std::vector<const DwarfFunc*> c_subs;
  for (const DwarfFunc* df : subs)
    if (!df->assembler) c_subs.push_back(df);
  if (c_subs.empty()) return {};   // assembler subprograms carry no prototype to compare
  std::vector<Finding> best;
  const DwarfFunc* best_df = nullptr;
  for (const DwarfFunc* df : c_subs) {
    std::vector<Finding> f = compare_sigs(name, df->sig, *sig);
    if (f.empty()) return {};
    if (!best_df || f.size() < best.size()) {
      best = std::move(f);
      best_df = df;
    }
  }
  for (const DwarfFunc& o : others)
    if (same_sig(o.sig, *sig))
      return stamp({make("dwarf.func-wrong-origin", path, sig_text(best_df->sig), sig_text(*sig),
                         "BTF has the prototype of another '" + name + "' (CU '" + o.cu + "' DIE " +
                             hex(o.die) + (o.has_address ? "" : ", no address") +
                             "), not of the subprogram at the symbol's address " + hex(best_df->addr))},
                   best_df);
  if (c_subs.size() > 1)
    for (Finding& f : best)
      f.message += " (none of the " + std::to_string(c_subs.size()) + " subprograms at " + addrs +
                   " matches; nearest shown)";
  return stamp(std::move(best), best_df);
}

}  // namespace btfcheck::dwarfcheck::detail
