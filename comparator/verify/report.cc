// Reporters for a verify::Report: the text lines and the JSON object of `btfcheck verify`.
// Both are pure functions of the report, so output order is the report's (sorted) order.
// Names come from the input and may hold any byte: text output escapes non-printable bytes,
// JSON output keeps valid UTF-8 and writes every other byte as \u00XX, so it always parses.
#include <cstdio>

#include "comparator/verify/internal.h"
#include "comparator/verify/verify.h"

namespace btfcheck::verify {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Length of the valid UTF-8 sequence at s[i], 0 if there is none.
size_t utf8_len(std::string_view s, size_t i) {
  const uint8_t c = uint8_t(s[i]);
  size_t len;
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
  else return 0;
  if (s.size() - i < len) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t d = uint8_t(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return len;
}

}  // namespace

std::string json_escape(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const uint8_t c = uint8_t(s[i]);
    if (c >= 0x80) {
      if (size_t len = utf8_len(s, i)) {
        out.append(s.substr(i, len));
        i += len;
        continue;
      }
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

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
    out += "OK, " + std::to_string(r.types) + " types\n";
  else
    out += std::to_string(r.violations.size()) + " violation(s) in " + std::to_string(r.types) +
           " types\n";
  return out;
}

std::string format_json(const Report& r, std::string_view file, std::string_view section) {
  std::string out = "{\"file\":" + json_escape(file) + ",\"section\":" + json_escape(section) +
                    ",\"types\":" + std::to_string(r.types) +
                    ",\"valid\":" + (r.valid() ? "true" : "false") + ",\"violations\":[";
  for (size_t i = 0; i < r.violations.size(); ++i) {
    const Violation& v = r.violations[i];
    out += i ? ",\n  " : "\n  ";
    out += "{\"rule\":" + json_escape(v.rule) + ",\"type_id\":" + std::to_string(v.type_id) +
           ",\"kind\":" + json_escape(v.kind) + ",\"name\":" + json_escape(v.name) +
           ",\"offset\":" + std::to_string(v.offset) +
           ",\"member\":" + (v.member ? std::to_string(*v.member) : std::string("null")) +
           ",\"message\":" + json_escape(v.message) + "}";
  }
  out += r.violations.empty() ? "]}" : "\n]}";
  return out;
}

}  // namespace btfcheck::verify
