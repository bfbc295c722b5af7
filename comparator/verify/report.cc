// Reporters for a verify::Report: the text lines and the JSON object of `btfcheck verify`.
// Both are pure functions of the report, so output order is the report's (sorted) order.
// Names come from the input and may hold any byte: text output escapes non-printable bytes,
// JSON output keeps valid UTF-8 and writes every other byte as \u00XX, so it always parses.
#include <cstdio>

#include "comparator/verify/internal.h"
#include "comparator/verify/verify.h"

#include "btf/json.h"

namespace btfcheck::verify {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "; Linux 6.18 (BPF_BTF_LOAD), 64-bit little-endian target (x86_64, from the ELF header)"
std::string judged(const Report& r) {
  std::string s = "; Linux " + r.kernel + (r.builtin ? " (vmlinux/module)" : " (BPF_BTF_LOAD)");
  if (r.target) s += ", target " + btf::describe(*r.target);
  return s;
}

}  // namespace

std::string format_text(const Report& r, std::string_view file, std::string_view section,
                        std::string_view label) {
  const std::string sec = section.empty() ? std::string("btf") : std::string(section);
  const std::string f(file);
  std::string out;
  for (const Violation& v : r.violations) {
    std::string line = f + ": " + sec + "+" + hex(v.offset) + ": ";
    std::string where;
    if (v.type_id) {
      where = "type [" + std::to_string(v.type_id) + "]";
      if (!v.kind.empty())
        where += " " + v.kind + " " + (v.name.empty() ? std::string("'(anon)'") : detail::quoted(v.name));
    }
    if (v.member) where += (where.empty() ? "" : " ") + std::string("member ") + std::to_string(*v.member);
    if (!where.empty()) line += where + ": ";
    out += line + v.message + " [" + v.rule + "]\n";
  }
  out += (label.empty() ? f : std::string(label)) + ": ";
  if (r.valid())
    out += "OK, " + std::to_string(r.types) + " types";
  else
    out += std::to_string(r.violations.size()) + " violation(s) in " + std::to_string(r.types) +
           " types";
  return out + judged(r) + "\n";
}

std::string format_json(const Report& r, std::string_view file, std::string_view section) {
  std::string out = "{\"file\":" + json_quote(file) + ",\"section\":" + json_quote(section) +
                    ",\"types\":" + std::to_string(r.types) +
                    ",\"valid\":" + (r.valid() ? "true" : "false") +
                    ",\"kernel\":" + json_quote(r.kernel) + ",\"load\":\"" +
                    (r.builtin ? "builtin" : "user") + "\",\"target\":" +
                    (r.target ? btf::target_json(*r.target) : std::string("null")) +
                    ",\"violations\":[";
  for (size_t i = 0; i < r.violations.size(); ++i) {
    const Violation& v = r.violations[i];
    out += i ? ",\n  " : "\n  ";
    out += "{\"rule\":" + json_quote(v.rule) + ",\"type_id\":" + std::to_string(v.type_id) +
           ",\"kind\":" + json_quote(v.kind) + ",\"name\":" + json_quote(v.name) +
           ",\"offset\":" + std::to_string(v.offset) +
           ",\"member\":" + (v.member ? std::to_string(*v.member) : std::string("null")) +
           ",\"message\":" + json_quote(v.message) + "}";
  }
  out += r.violations.empty() ? "]}" : "\n]}";
  return out;
}

}  // namespace btfcheck::verify
