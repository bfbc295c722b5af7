// --features parsing: names follow pahole's --btf_features. "default" is the Linux 6.1 +
// pahole 1.24 set; a leading '+' means "default plus"; "-name" turns one off; "all" turns
// every feature on.
#include <string_view>

#include "encoder/dwarf/encode.h"

namespace btfcheck::encode {
namespace {

struct Named {
  const char* name;
  bool Features::*field;
};

constexpr Named kFeatures[] = {
    {"var", &Features::var},
    {"float", &Features::float_kind},
    {"decl_tag", &Features::decl_tag},
    {"type_tag", &Features::type_tag},
    {"enum64", &Features::enum64},
    {"global_var", &Features::global_var},
    {"consistent_func", &Features::consistent_func},
    {"optimized_func", &Features::optimized_func},
    {"func_by_address", &Features::func_by_address},
    {"unambiguous_func", &Features::unambiguous_func},
    {"param_regs", &Features::param_regs},
};

// Accepted and ignored: they change nothing in what this encoder writes.
constexpr const char* kNoops[] = {"encode_force", "reproducible_build"};

}  // namespace

Result<Features> parse_features(const std::string& list) {
  Features f;  // defaults
  std::string_view rest = list;
  bool first = true;
  bool plus = !rest.empty() && rest.front() == '+';
  if (plus) rest.remove_prefix(1);
  if (!plus && !rest.empty() && rest != "default") {
    // An explicit list starts from nothing (as pahole's --btf_features=a,b does).
    bool only_toggles = true;
    for (size_t p = 0; p <= rest.size();) {
      size_t e = rest.find(',', p);
      if (e == std::string_view::npos) e = rest.size();
      std::string_view item = rest.substr(p, e - p);
      if (!item.empty() && item.front() != '-') only_toggles = false;
      p = e + 1;
    }
    if (!only_toggles) f = Features{false, false, false, false, false, false, false, false,
                                    false, false, false};
  }
  while (!rest.empty() || first) {
    first = false;
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
    if (item == "default") {
      if (on) {
        Features d;
        for (const auto& n : kFeatures)
          if (d.*n.field) f.*n.field = true;
      }
      continue;
    }
    if (item == "all") {
      for (const auto& n : kFeatures) f.*n.field = on;
      continue;
    }
    bool known = false;
    for (const auto& n : kFeatures)
      if (item == n.name) {
        f.*n.field = on;
        known = true;
      }
    for (const char* n : kNoops)
      if (item == n) known = true;
    if (!known) {
      Error err;
      err.rule = "usage.feature";
      err.message = "unknown feature '" + std::string(item) +
                    "' (var, float, decl_tag, type_tag, enum64, global_var, consistent_func, "
                    "optimized_func, func_by_address, unambiguous_func, param_regs, default, "
                    "all)";
      return err;
    }
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
