// JSON string quoting shared by every JSON writer in btfcheck: ", \ and control characters
// escaped (\n, \t, ... or \u00XX). Bytes >= 0x80: by default a valid UTF-8 sequence passes
// and any other byte becomes \u00XX, so the document is always valid UTF-8; HighBytes::Raw
// passes them unchanged, as bpftool's json_writer does (dump --format json mirrors it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace btfcheck {

enum class HighBytes { Utf8, Raw };

// Length of the valid UTF-8 sequence at s[i], 0 if there is none.
inline size_t utf8_len(std::string_view s, size_t i) {
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

inline void json_quote_to(std::string& out, std::string_view s,
                          HighBytes high = HighBytes::Utf8) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;   // start of the current run of bytes that need no escape
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 && high == HighBytes::Utf8) {
      if (size_t len = utf8_len(s, i)) {
        i += len;
        continue;
      }
    } else if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
      ++i;
      continue;
    } else if (c == 0x7f && high == HighBytes::Raw) {
      ++i;
      continue;
    }
    out.append(s.substr(run, i - run));
    run = ++i;
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

inline std::string json_quote(std::string_view s, HighBytes high = HighBytes::Utf8) {
  std::string out;
  json_quote_to(out, s, high);
  return out;
}

}  // namespace btfcheck
