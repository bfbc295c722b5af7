// JSON string quoting shared by every JSON writer in btfcheck: ", \ and control characters
// escaped (\n, \t, ... or \u00XX); bytes >= 0x80 pass through unchanged, as bpftool's
// json_writer does.
#pragma once

#include <string>
#include <string_view>

namespace btfcheck {

inline void json_quote_to(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;   // start of the current run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\f': out += "\\f"; break;
      case '\b': out += "\\b"; break;
      default: out += "\\u00"; out += kHex[c >> 4]; out += kHex[c & 15]; break;
    }
  }
  out.append(s.substr(run));
  out += '"';
}

inline std::string json_quote(std::string_view s) {
  std::string out;
  json_quote_to(out, s);
  return out;
}

}  // namespace btfcheck
