#include "comparator/diff/suppress.h"

namespace btfcheck::diff {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// The bare name of the type a path starts at: "struct sk_buff.len" -> "sk_buff".
std::string type_name(const Change& c) {
  std::string top = c.path.substr(0, c.path.find('.'));
  const size_t sp = top.rfind(' ');
  if (sp != std::string::npos && !c.kind.empty() && top.compare(0, c.kind.size(), c.kind) == 0)
    top = top.substr(sp + 1);
  return top.substr(0, top.find('#'));
}

}  // namespace

Result<std::vector<Suppression>> parse_suppressions(const std::string& text,
                                                    const std::string& file) {
  std::vector<Suppression> out;
  auto err = [&](int line, const std::string& msg) {
    Error e;
    e.rule = "suppress.syntax";
    e.file = file;
    e.section = "line " + std::to_string(line);
    e.message = msg;
    return e;
  };
  int ln = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++ln;
    if (line.empty() || line[0] == '#') continue;
    if (line == "[suppress]") {
      out.emplace_back();
      out.back().line = ln;
      continue;
    }
    if (out.empty()) return err(ln, "expected [suppress] before '" + line + "'");
    const size_t eq = line.find('=');
    if (eq == std::string::npos) return err(ln, "expected key = value");
    const std::string key = trim(line.substr(0, eq)), val = trim(line.substr(eq + 1));
    Suppression& s = out.back();
    try {
      if (key == "category") s.category = val;
      else if (key == "kind") s.kind = val;
      else if (key == "name") s.name_src = val, s.name = std::regex(val);
      else if (key == "path") s.path_src = val, s.path = std::regex(val);
      else if (key == "reason") s.reason = val;
      else return err(ln, "unknown key '" + key + "'");
    } catch (const std::regex_error& e) {
      return err(ln, "bad regular expression '" + val + "': " + e.what());
    }
  }
  for (const Suppression& s : out)
    if (s.reason.empty()) return err(s.line, "[suppress] block without a reason");
  return out;
}

void apply_suppressions(Report& r, const std::vector<Suppression>& sups) {
  for (Change& c : r.changes) {
    for (const Suppression& s : sups) {
      if (!s.category.empty() && s.category != c.category) continue;
      if (!s.kind.empty() && s.kind != c.kind) continue;
      if (!s.name_src.empty() && !std::regex_search(type_name(c), s.name)) continue;
      if (!s.path_src.empty() && !std::regex_search(c.path, s.path)) continue;
      c.suppressed = true;
      c.reason = s.reason;
      break;
    }
  }
  r.summary.clear();
  for (const Change& c : r.changes)
    if (!c.suppressed) ++r.summary[c.category];
}

}  // namespace btfcheck::diff
