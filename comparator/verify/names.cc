// Names: string-section lookups and the kernel's name syntax.
//
// The kernel classifies characters with lib/ctype.c, a Latin-1 table: besides ASCII, bytes
// 0xC0-0xFF (except 0xD7 and 0xF7) are letters and 0xA0-0xFF are printable. BTF names are
// plain bytes, so a UTF-8 name passes or fails exactly as the kernel would judge it byte by
// byte. A name may be at most KSYM_NAME_LEN bytes long (the kernel scans up to
// KSYM_NAME_LEN characters and then requires the NUL).
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {
namespace {

// lib/ctype.c's classes, as a table: 1 letter, 2 digit, 4 printable.
constexpr std::array<uint8_t, 256> kCtype = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c != 0xD7 && c != 0xF7);
    const bool digit = c >= '0' && c <= '9';
    const bool print = (c >= 0x20 && c <= 0x7E) || c >= 0xA0;
    t[c] = uint8_t((alpha ? 1 : 0) | (digit ? 2 : 0) | (print ? 4 : 0));
  }
  return t;
}();
bool k_isalpha(uint8_t c) { return kCtype[c] & 1; }
bool k_isalnum(uint8_t c) { return kCtype[c] & 3; }
bool k_isprint(uint8_t c) { return kCtype[c] & 4; }

// __btf_name_char_ok: letters/'_' first, then alnum/'_'; '.' anywhere (6.4 on) or, with
// legacy rules, only in section and VAR names (dot_ok).
bool char_ok(uint8_t c, bool first, bool dot_ok) {
  if (first ? k_isalpha(c) : k_isalnum(c)) return true;
  if (c == '_') return true;
  return c == '.' && dot_ok;
}

// The string of `btf` (not its base) at local offset `local`, up to NUL or section end.
std::string_view local_string(const btf::Btf& b, uint64_t local) {
  auto s = b.strings();
  if (local >= s.size()) return {};
  const char* p = reinterpret_cast<const char*>(s.data()) + local;
  const size_t max = s.size() - local;
  const void* nul = std::memchr(p, 0, max);
  return std::string_view(p, nul ? size_t(static_cast<const char*>(nul) - p) : max);
}

}  // namespace

bool name_offset_valid(const btf::Btf& btf, uint32_t off) {
  if (off > kMaxNameOffset) return false;
  const btf::Btf* b = &btf;
  while (off < b->start_str_off() && b->base()) b = b->base();
  if (off < b->start_str_off()) return false;
  return off - b->start_str_off() < b->header().str_len;
}

std::string_view name_at(const btf::Btf& btf, uint32_t off) {
  const btf::Btf* b = &btf;
  while (off < b->start_str_off() && b->base()) b = b->base();
  if (off < b->start_str_off()) return {};
  return local_string(*b, off - b->start_str_off());
}

bool valid_identifier(std::string_view s, const Options& opts, bool dot_ok) {
  const bool dots = !opts.legacy_names || dot_ok;
  if (s.empty() || !char_ok(uint8_t(s[0]), true, dots)) return false;
  if (s.size() > opts.ksym_name_len) return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (!char_ok(uint8_t(s[i]), false, dots)) return false;
  return true;
}

bool valid_section_name(const btf::Btf& btf, uint32_t off, const Options& opts) {
  const std::string_view s = name_at(btf, off);
  switch (opts.section_names) {
    case SectionNames::IdentDot:
      return valid_identifier(s, opts, true);
    case SectionNames::PrintableTail: {
      // The first byte is skipped unchecked; after an empty name that is its NUL, and the
      // scan goes on through the next string (which must then end within the limit).
      if (s.empty()) {
        if (off == kMaxNameOffset || !name_offset_valid(btf, off + 1)) return false;
        const std::string_view next = name_at(btf, off + 1);
        return next.size() < opts.ksym_name_len &&
               std::all_of(next.begin(), next.end(), [](char c) { return k_isprint(uint8_t(c)); });
      }
      return s.size() <= opts.ksym_name_len &&
             std::all_of(s.begin() + 1, s.end(), [](char c) { return k_isprint(uint8_t(c)); });
    }
    case SectionNames::Printable:
      return !s.empty() && s.size() <= opts.ksym_name_len &&
             std::all_of(s.begin(), s.end(), [](char c) { return k_isprint(uint8_t(c)); });
  }
  return false;
}

std::string quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const uint8_t c = uint8_t(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
      out += char(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > kMax) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out + "'";
}

std::string describe(const btf::Btf& btf, uint32_t id) {
  if (id == 0) return "[0] void";
  if (!btf.valid_id(id)) return "[" + std::to_string(id) + "] (missing)";
  btf::Type t = btf.type(id);
  std::string name(t.name());
  return "[" + std::to_string(id) + "] " + std::string(t.kind_name()) + " " +
         (name.empty() ? std::string("'(anon)'") : quoted(name));
}

void Sink::header(std::string_view rule, uint64_t offset, std::string message) {
  if (quiet_) return;
  Violation v;
  v.rule = rule;
  v.offset = offset;
  v.message = std::move(message);
  out_.push_back(std::move(v));
}

void Sink::type(std::string_view rule, const btf::Type& t, uint64_t offset,
                std::string message) {
  if (quiet_) return;
  Violation v;
  v.rule = rule;
  v.type_id = t.id();
  v.kind = t.kind_name();
  v.name = t.name();
  v.offset = offset;
  v.message = std::move(message);
  out_.push_back(std::move(v));
}

void Sink::member(std::string_view rule, const btf::Type& t, uint32_t index, uint64_t offset,
                  std::string message) {
  if (quiet_) return;
  type(rule, t, offset, std::move(message));
  out_.back().member = index;
}

}  // namespace btfcheck::verify::detail
