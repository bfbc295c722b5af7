// Reporters: text, JSON and markdown renderings of one diff::Report.
#include "btf/json.h"
#include "comparator/diff/diff.h"

namespace btfcheck::diff {
namespace {

std::string bits(const Change& c) {
  if (!c.before_bits && !c.after_bits) return "";
  std::string s = " (bits ";
  s += c.before_bits ? std::to_string(*c.before_bits) : "-";
  s += " -> ";
  s += c.after_bits ? std::to_string(*c.after_bits) : "-";
  if (c.before_bits && c.after_bits) {
    const int64_t d = c.delta();
    s += ", delta " + std::string(d > 0 ? "+" : "") + std::to_string(d);
  }
  return s + ")";
}

std::string summary_line(const Report& r) {
  std::string s;
  for (const auto& [cat, n] : r.summary) s += (s.empty() ? "" : ", ") + cat + " " + std::to_string(n);
  return s;
}

}  // namespace

std::string render_text(const Report& r) {
  std::string out;
  for (const Change& c : r.changes) {
    if (c.suppressed) continue;
    out += c.category + " " + c.path;
    if (c.category == "added" || c.category == "copy-added") out += ": " + c.after;
    else if (c.category == "removed" || c.category == "copy-removed") out += ": " + c.before;
    else if (c.category == "indirect") out += ": " + c.after;
    else out += ": " + (c.before.empty() ? "(none)" : c.before) + " -> " +
                (c.after.empty() ? "(none)" : c.after) + bits(c);
    out += "\n";
    if (!c.impacts.empty()) {
      out += "  impacts " + std::to_string(c.impacts.size()) + ":";
      size_t shown = 0;
      for (const std::string& i : c.impacts) {
        if (shown++ == 8) { out += " ..."; break; }
        out += " " + i + (shown < c.impacts.size() && shown < 9 ? "," : "");
      }
      out += "\n";
    }
  }
  const size_t n = r.unsuppressed();
  out += n == 0 ? "no differences" : std::to_string(n) + " difference(s): " + summary_line(r);
  if (r.suppressed()) out += " (" + std::to_string(r.suppressed()) + " suppressed)";
  return out + "\n";
}

std::string render_json(const Report& r, const std::string& a_name, const std::string& b_name) {
  std::string o = "{\"a\":" + json_quote(a_name) + ",\"b\":" + json_quote(b_name) +
                  ",\"equal\":" + (r.unsuppressed() ? "false" : "true") + ",\"summary\":{";
  bool first = true;
  for (const auto& [cat, n] : r.summary) {
    o += (first ? "" : ",") + json_quote(cat) + ":" + std::to_string(n);
    first = false;
  }
  o += "},\"changes\":[";
  first = true;
  for (const Change& c : r.changes) {
    o += first ? "{" : ",{";
    first = false;
    o += "\"category\":" + json_quote(c.category) + ",\"kind\":" + json_quote(c.kind) +
         ",\"path\":" + json_quote(c.path) + ",\"before\":" + json_quote(c.before) +
         ",\"after\":" + json_quote(c.after);
    if (c.before_bits) o += ",\"before_bits\":" + std::to_string(*c.before_bits);
    if (c.after_bits) o += ",\"after_bits\":" + std::to_string(*c.after_bits);
    if (c.before_bits && c.after_bits) o += ",\"delta_bits\":" + std::to_string(c.delta());
    if (c.suppressed) o += ",\"suppressed\":true,\"reason\":" + json_quote(c.reason);
    if (!c.impacts.empty()) {
      o += ",\"impacts\":[";
      for (size_t i = 0; i < c.impacts.size(); ++i) o += (i ? "," : "") + json_quote(c.impacts[i]);
      o += "]";
    }
    o += "}";
  }
  return o + "]}\n";
}

std::string render_markdown(const Report& r, const std::string& a_name,
                            const std::string& b_name) {
  auto cell = [](std::string s) {
    std::string o;
    for (char ch : s) o += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return o.size() > 200 ? o.substr(0, 197) + "..." : o;
  };
  std::string o = "### BTF diff: `" + a_name + "` → `" + b_name + "`\n\n";
  const size_t n = r.unsuppressed();
  const std::string sup =
      r.suppressed() ? " " + std::to_string(r.suppressed()) + " suppressed." : std::string();
  if (n == 0) return o + "No differences." + sup + "\n";
  o += "| category | count |\n|---|---:|\n";
  for (const auto& [cat, k] : r.summary) o += "| " + cat + " | " + std::to_string(k) + " |\n";
  o += "\n| category | path | before | after | Δ bits | impacts |\n|---|---|---|---|---:|---:|\n";
  for (const Change& c : r.changes) {
    if (c.suppressed) continue;
    o += "| " + c.category + " | `" + cell(c.path) + "` | " + cell(c.before) + " | " +
         cell(c.after) + " | " +
         (c.before_bits && c.after_bits ? std::to_string(c.delta()) : std::string()) + " | " +
         (c.impacts.empty() ? std::string() : std::to_string(c.impacts.size())) + " |\n";
  }
  return o;
}

}  // namespace btfcheck::diff
