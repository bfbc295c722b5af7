// --compat and --features parsing. Feature names follow pahole's --btf_features; see
// encode.h for the syntax. A mode (--compat) gives the starting set; pahole's own features
// and btfcheck's choices (how FUNCs are picked) are kept apart so that an explicit list
// ("var,float") turns pahole's features off, as pahole does, without changing the choices.
#include <string_view>

#include "encoder/dwarf/encode.h"

namespace btfcheck::encode {
namespace {

struct Named {
  const char* name;
  bool Features::*field;
  bool pahole;   // a pahole --btf_features name (an explicit list resets these)
  bool in_default;   // in pahole master's `default` set
  bool master_only = false;   // follows pahole master's function analysis: needs its mode
};

constexpr Named kFeatures[] = {
    {"var", &Features::var, true, true},
    {"float", &Features::float_kind, true, true},
    {"decl_tag", &Features::decl_tag, true, true},
    {"type_tag", &Features::type_tag, true, true},
    {"enum64", &Features::enum64, true, true},
    {"global_var", &Features::global_var, true, false},
    {"consistent_func", &Features::consistent_func, true, true},
    {"optimized_func", &Features::optimized_func, true, true},
    {"decl_tag_kfuncs", &Features::decl_tag_kfuncs, true, true},
    {"layout", &Features::layout, true, false},
    {"attributes", &Features::attributes, true, false},
    {"distilled_base", &Features::distilled_base, true, false},
    {"true_signature", &Features::true_signature, true, false, true},
    {"func_by_address", &Features::func_by_address, false, false},
    {"unambiguous_func", &Features::unambiguous_func, false, false},
    {"param_regs", &Features::param_regs, false, false},
};

// Accepted and ignored: they change nothing in what this encoder writes (encode_force is
// in pahole's default set; reproducible_build is a no-op since pahole 1.29).
constexpr const char* kNoops[] = {"encode_force", "reproducible_build"};
Error usage(const std::string& msg) {
  Error err;
  err.rule = "usage.feature";
  err.message = msg;
  return err;
}

std::string known_names() {
  std::string s;
  for (const auto& n : kFeatures) s += std::string(s.empty() ? "" : ", ") + n.name;
  for (const char* n : kNoops) s += std::string(", ") + n;
  return s + ", default, all";
}

}  // namespace

Result<Compat> parse_compat(const std::string& name) {
  if (name == "none") return Compat::None;
  if (name == "pahole-1.24") return Compat::Pahole124;
  if (name == "pahole-master") return Compat::PaholeMaster;
  Error err;
  err.rule = "usage.compat";
  err.message = "unknown --compat '" + name + "' (pahole-1.24, pahole-master, none)";
  return err;
}

const char* compat_name(Compat c) {
  switch (c) {
    case Compat::Pahole124: return "pahole-1.24";
    case Compat::PaholeMaster: return "pahole-master";
    case Compat::None: break;
  }
  return "none";
}

Features default_features(Compat c) {
  Features f;  // btfcheck's own: pahole 1.24's Linux 6.1 set, FUNCs by address
  if (c == Compat::Pahole124) f.func_by_address = false;
  if (c == Compat::PaholeMaster) {
    for (const auto& n : kFeatures) f.*n.field = n.in_default;
    // pahole master's function checks: the state at a symbol's address wins, names with
    // several addresses are skipped, parameters are checked against the registers.
    f.func_by_address = f.unambiguous_func = f.param_regs = true;
  }
  return f;
}

Result<Features> parse_features(const std::string& list, Compat mode) {
  Features f = default_features(mode);
  std::string_view rest = list;
  const bool plus = !rest.empty() && rest.front() == '+';
  if (plus) rest.remove_prefix(1);
  if (!plus && !rest.empty()) {
    // An explicit list starts with pahole's features off (as pahole's --btf_features=a,b);
    // a list of removals only ("-a,-b") starts from the mode's defaults.
    bool only_toggles = true;
    for (size_t p = 0; p <= rest.size();) {
      size_t e = rest.find(',', p);
      if (e == std::string_view::npos) e = rest.size();
      std::string_view item = rest.substr(p, e - p);
      if (!item.empty() && item.front() != '-') only_toggles = false;
      p = e + 1;
    }
    if (!only_toggles)
      for (const auto& n : kFeatures)
        if (n.pahole) f.*n.field = false;
  }
  while (!rest.empty()) {
    size_t e = rest.find(',');
    std::string_view item = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e + 1);
    if (item.empty()) continue;
    bool on = true;
    if (item.front() == '-') {
      on = false;
      item.remove_prefix(1);
    } else if (item.front() == '+') {
      item.remove_prefix(1);
    }
    if (item == "default") {   // pahole master's nine features
      for (const auto& n : kFeatures)
        if (n.in_default) f.*n.field = on;
      continue;
    }
    if (item == "all") {   // outside pahole master's mode, not its own rules
      for (const auto& n : kFeatures)
        if (!n.master_only || mode == Compat::PaholeMaster) f.*n.field = on;
      continue;
    }
    bool known = false;
    for (const auto& n : kFeatures) {
      if (item != n.name) continue;
      if (on && n.master_only && mode != Compat::PaholeMaster)
        return usage("feature '" + std::string(item) + "' rewrites what pahole master's function "
                     "analysis finds: use it with --compat=pahole-master");
      f.*n.field = on;
      known = true;
    }
    for (const char* n : kNoops)
      if (item == n) known = true;
    if (!known) return usage("unknown feature '" + std::string(item) + "' (" + known_names() + ")");
  }
  return f;
}

std::string features_str(const Features& f) {
  std::string s;
  for (const auto& n : kFeatures)
    if (f.*n.field) s += (s.empty() ? "" : ",") + std::string(n.name);
  return s.empty() ? "none" : s;
}

}  // namespace btfcheck::encode
