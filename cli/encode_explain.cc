// encode --explain against pahole master (see encode_explain.h).
#include "cli/encode_explain.h"

#include <array>
#include <map>
#include <memory>
#include <utility>

#include "btf/btf.h"
#include "btf/load.h"
#include "canon/canon.h"

namespace btfcheck::cli {
namespace {

// The reasons the encoder's --explain lines give, by the words that identify them, in
// priority order: a rule that leaves every FUNC of a name out outranks one about a single
// DIE (a name can have both lines; the first decided).
struct Reason {
  const char* name;
  const char* words;
  bool at_start;   // the reason starts with `words` (else contains them)
};
constexpr std::array<Reason, 16> kReasons = {{
    {"unambiguous_func", "(unambiguous_func)", false},
    {"param_regs", "(param_regs)", false},
    {"consistent_func", "(consistent_func)", false},
    {"reordered_params", "reordered parameters", true},
    {"optimized_params", "optimized parameters", true},
    {"uncertain_params", "uncertain parameter location", true},
    {"global_var", "(global_var)", false},
    {"optimized_func", "(optimized_func matches it; off here)", false},
    {"part_symbols", "which pahole master's function table leaves out", false},
    {"percpu_address_0", "per-CPU variable at address 0", true},
    {"no_symbol", "has code but no ELF function symbol", true},
    {"unnamed_param", "a parameter has no name", true},
    {"other_symbol", "its address is that of the symbol", true},
    {"void_var", "variable without a type", true},
    {"zero_size", "zero-sized variable", true},
    {"symbol_entry", "(symbol_entry)", false},
}};

int reason_rank(const std::string& why) {
  for (size_t i = 0; i < kReasons.size(); ++i) {
    const std::string_view w = kReasons[i].words;
    if (kReasons[i].at_start ? why.starts_with(w) : why.find(w) != std::string::npos)
      return static_cast<int>(i);
  }
  return -1;
}

// NAME -> the reasons of its "NAME: VERB: WHY" lines, in line order.
using Log = std::map<std::string, std::vector<std::string>, std::less<>>;
Log index_log(const std::vector<std::string>& lines, std::string_view verb) {
  Log log;
  const std::string sep = ": " + std::string(verb) + ": ";
  for (const std::string& line : lines) {
    const size_t p = line.find(sep);
    if (p != std::string::npos) log[line.substr(0, p)].push_back(line.substr(p + sep.size()));
  }
  return log;
}

// The deciding reason among a name's lines: the highest-priority one; "" when none decides.
std::string deciding(const Log& log, const std::string& name) {
  auto it = log.find(name);
  if (it == log.end()) return "";
  int best = -1;
  const std::string* why = nullptr;
  for (const std::string& w : it->second) {
    const int r = reason_rank(w);
    if (r >= 0 && (best < 0 || r < best)) {
      best = r;
      why = &w;
    }
  }
  return why ? *why : "";
}

// The first of a name's lines whose reason is `reason` (a kReasons name), or "".
std::string line_with(const Log& log, const std::string& name, std::string_view reason) {
  auto it = log.find(name);
  if (it == log.end()) return "";
  for (const std::string& w : it->second) {
    const int r = reason_rank(w);
    if (r >= 0 && kReasons[r].name == reason) return w;
  }
  return "";
}

// What a FUNC or VAR looks like on each side, gathered from the diff's changes.
struct Entry {
  bool own_only = false, master_only = false;   // the FUNC/VAR itself removed / added
  std::vector<std::string> tags_own, tags_master;   // DECL_TAGs only one side has
  bool changed = false;                         // prototype, type or DATASEC entry
};

// "func foo", "func foo#1a2b3c4d", "func foo.param", "decl_tag(\"v\", func foo)",
// "datasec SEC.var foo" ->
// (kind, name); kind "" for changes of other types.
std::pair<std::string, std::string> subject(const diff::Change& c) {
  const std::string& p = c.path;
  if (c.kind == "func" || c.kind == "var") {   // "#DIGEST" tells same-name copies apart
    std::string name = p.substr(p.find(' ') + 1);
    name = name.substr(0, name.find_first_of(c.kind == "func" ? "#. " : "#"));
    return {c.kind, name};
  }
  if (p.starts_with("decl_tag(")) {   // the diff gives decl tags no kind
    const size_t f = p.find(", func ");
    if (f == std::string::npos) return {};
    std::string name = p.substr(f + 7);
    return {"func", name.substr(0, name.find_first_of("#.) "))};
  }
  if (c.kind == "datasec") {
    const size_t v = p.rfind(".var ");
    if (v != std::string::npos) return {"var", p.substr(v + 5)};
  }
  return {};
}

// The tag value of decl_tag("VALUE", ...).
std::string tag_value(const std::string& path) {
  const size_t q = path.find('"');
  const size_t e = q == std::string::npos ? q : path.find('"', q + 1);
  return e == std::string::npos ? path : path.substr(q + 1, e - q - 1);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// What btfcheck's own mode does instead, where the deciding rule is pahole master's.
std::string own_instead(const std::string& reason, const encode::Features& own) {
  if (reason == "unambiguous_func")
    return "btfcheck keeps the prototype of the subprogram at one of its symbol addresses "
           "(unambiguous_func is off here)";
  if (reason == "param_regs")
    return own.param_regs ? "btfcheck's own param_regs check accepts its parameters"
                          : "param_regs is off here";
  if (reason == "consistent_func")
    return own.consistent_func
               ? "btfcheck leaves an assembler unit's subprogram, which has no prototype, out "
                 "of the comparison"
               : "consistent_func is off here";
  if (reason == "reordered_params" || reason == "optimized_params" || reason == "uncertain_params")
    return "only --compat=pahole-master applies pahole master's parameter analysis";
  if (reason == "part_symbols") return "btfcheck's optimized_func matches that piece";
  return "";
}

// What pahole master does instead, where the deciding rule is btfcheck's own.
std::string master_instead(const std::string& reason, const encode::Features& master) {
  if (reason == "consistent_func")
    return master.consistent_func ? "pahole master ignores const when it compares prototypes"
                                  : "consistent_func is off in pahole master's set";
  if (reason == "global_var")
    return "pahole master writes the overlapping DATASEC entry, which the kernel rejects";
  if (reason == "unambiguous_func")
    return "pahole master never flags the last name in sorted order";
  return "";
}

std::string with_note(const std::string& why, const std::string& note) {
  return note.empty() ? why : why + "; " + note;
}

}  // namespace

std::string explain_reason_name(const std::string& why) {
  const int r = reason_rank(why);
  return r < 0 ? "" : kReasons[r].name;
}

std::vector<std::string> master_difference_lines(const std::vector<diff::Change>& changes,
                                                 const std::vector<std::string>& own_explain,
                                                 const std::vector<std::string>& master_explain,
                                                 const encode::Features& own,
                                                 const encode::Features& master) {
  std::map<std::pair<std::string, std::string>, Entry> entries;   // (name, kind)
  for (const diff::Change& c : changes) {
    auto [kind, name] = subject(c);
    if (kind.empty() || name.empty()) continue;
    Entry& e = entries[{name, kind}];
    // A copy-removed / copy-added FUNC is one more FUNC of a name both outputs have (such as
    // a module's FUNC next to its base's): kept by one mode only, as a removed / added one.
    const bool removed = c.category == "removed" || c.category == "copy-removed";
    const bool added = c.category == "added" || c.category == "copy-added";
    const bool whole = c.path.substr(0, c.path.find('#')) == kind + " " + name;
    if (c.path.starts_with("decl_tag(")) {
      if (removed) e.tags_own.push_back(tag_value(c.path));
      else if (added) e.tags_master.push_back(tag_value(c.path));
      else e.changed = true;
    } else if (removed && whole) {
      e.own_only = true;
    } else if (added && whole) {
      e.master_only = true;
    } else {
      e.changed = true;
    }
  }
  const Log own_skips = index_log(own_explain, "skipped");
  const Log master_skips = index_log(master_explain, "skipped");
  std::vector<std::string> lines;
  for (const auto& [key, e] : entries) {
    const auto& [name, kind] = key;
    std::string states, reason, text;
    if (e.own_only || e.master_only) {
      const bool ours = e.own_only;
      states = ours ? "kept/skipped" : "skipped/kept";
      text = deciding(ours ? master_skips : own_skips, name);
      reason = explain_reason_name(text);
      if (!reason.empty())
        text = with_note(text, ours ? own_instead(reason, own) : master_instead(reason, master));
    } else {
      states = "kept/kept";
      std::vector<std::string> what;
      if (!e.tags_master.empty()) what.push_back("pahole master adds DECL_TAG " + joined(e.tags_master));
      if (!e.tags_own.empty()) what.push_back("btfcheck adds DECL_TAG " + joined(e.tags_own));
      const bool kfunc_tags_only = !e.changed && !what.empty();
      if (kfunc_tags_only && own.decl_tag_kfuncs != master.decl_tag_kfuncs) {
        reason = "decl_tag_kfuncs";
        text = joined(what) + " (a kfunc of a .BTF_ids set; decl_tag_kfuncs is " +
               (own.decl_tag_kfuncs ? "on" : "off") + " here)";
      } else {
        text = e.changed ? "another " + std::string(kind == "func" ? "prototype" : "type or DATASEC entry")
                         : joined(what);
        // pahole master took the FUNC from another subprogram than the one at the symbol's
        // entry, which btfcheck takes.
        const std::string why = e.changed && kind == "func" ? line_with(master_skips, name, "symbol_entry") : "";
        if (!why.empty()) {
          reason = "symbol_entry";
          text += ": pahole master's comes from another subprogram (" + why +
                  "); btfcheck takes the one at the symbol's entry";
        }
      }
    }
    if (reason.empty()) {
      reason = "unexplained";
      if (text.empty()) text = "no --explain line of the mode that leaves it out names it";
    }
    lines.push_back(name + ": vs pahole master: " + kind + " " + states + " [" + reason + "]: " + text);
  }
  return lines;
}

namespace {

// An encoder output as a parsed Btf: on its distilled base when it has one, else on `base`
// (the --base the encoding was split on, read once for both outputs), else standalone.
Result<std::shared_ptr<const btf::Btf>> parse_output(const encode::Output& out,
                                                     std::shared_ptr<const btf::Btf> base,
                                                     const std::string& what) {
  if (!out.btf_base.empty()) {
    auto b = btf::Btf::parse(std::vector<uint8_t>(out.btf_base.begin(), out.btf_base.end()),
                             {what + " .BTF.base", "", nullptr});
    if (!b) return b.error();
    base = *b;
  }
  return btf::Btf::parse(std::vector<uint8_t>(out.btf.begin(), out.btf.end()), {what, "", base});
}

}  // namespace

Result<std::vector<std::string>> explain_vs_master(const std::string& elf,
                                                   const encode::Options& own_opts,
                                                   const encode::Output& own,
                                                   const encode::Features& master_features) {
  encode::Options opts = own_opts;
  opts.compat = encode::Compat::PaholeMaster;
  opts.features = master_features;
  opts.explain = true;
  opts.progress = nullptr;
  auto master = encode::encode_dwarf(elf, opts);
  if (!master) return master.error();
  std::shared_ptr<const btf::Btf> base;
  if (!own_opts.base_path.empty()) {
    auto b = btf::open_btf(own_opts.base_path);
    if (!b) return b.error();
    base = *b;
  }
  auto a = parse_output(own, base, "own-mode output");
  if (!a) return a.error();
  auto b = parse_output(*master, base, "pahole-master-mode output");
  if (!b) return b.error();
  const diff::Report report = diff::diff(canon::build(**a), canon::build(**b));
  return master_difference_lines(report.changes, own.explain, master->explain,
                                 own_opts.features, master_features);
}

}  // namespace btfcheck::cli
