// Reporters: text, JSON and markdown renderings of one diff::Report.
#include <optional>

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

bool added_or_removed(const Change& c) {
  return c.category == "added" || c.category == "copy-added" || c.category == "removed" ||
         c.category == "copy-removed";
}

const std::string& line_of(const Change& c) { return c.after.empty() ? c.before : c.after; }

// The definition in an added or removed type's line, "KEY := DEFINITION"; "" when the line
// is just the key (decl tags, anonymous types nothing refers to: their line is their path);
// nullopt should a line not start with its key (it is then printed whole).
std::optional<std::string> definition(const Change& c) {
  const std::string& line = line_of(c);
  if (line == c.path) return "";
  const std::string lead = c.path + " := ";
  if (line.rfind(lead, 0) == 0) return line.substr(lead.size());
  return std::nullopt;
}

std::string summary_line(const Report& r) {
  std::string s;
  for (const auto& [cat, n] : r.summary) s += (s.empty() ? "" : ", ") + cat + " " + std::to_string(n);
  return s;
}

}  // namespace

std::string change_line(const Change& c) {
  const std::string head = c.category + " " + c.path;
  if (added_or_removed(c)) {
    const auto def = definition(c);
    return head + (!def ? ": " + line_of(c) : def->empty() ? "" : " := " + *def);
  }
  if (c.category == "indirect") return head + ": " + c.after;
  return head + ": " + (c.before.empty() ? "(none)" : c.before) + " -> " +
         (c.after.empty() ? "(none)" : c.after) + bits(c);
}

std::string render_text(const Report& r) {
  std::string out;
  for (const Change& c : r.changes) {
    if (c.suppressed) continue;
    out += change_line(c) + "\n";
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
  std::string o = "{\"a\":" + json_quote(a_name) + ",\"b\":" + json_quote(b_name);
  if (!r.target_a.empty()) o += ",\"target_a\":" + r.target_a + ",\"target_b\":" + r.target_b;
  o += std::string(",\"equal\":") + (r.unsuppressed() ? "false" : "true") + ",\"summary\":{";
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
    // An added or removed type: its definition only, the key is in the path column.
    std::string before = c.before, after = c.after;
    if (added_or_removed(c)) (c.after.empty() ? before : after) = definition(c).value_or(line_of(c));
    o += "| " + c.category + " | `" + cell(c.path) + "` | " + cell(before) + " | " +
         cell(after) + " | " +
         (c.before_bits && c.after_bits ? std::to_string(c.delta()) : std::string()) + " | " +
         (c.impacts.empty() ? std::string() : std::to_string(c.impacts.size())) + " |\n";
  }
  return o;
}

}  // namespace btfcheck::diff
