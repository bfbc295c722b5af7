// Writing a BTF blob: a 24-byte header, the type section, then the string section, in the
// requested byte order. The inverse of Btf::parse for well-formed input; used by tools and
// tests that build or rewrite BTF (permutation, mutation, fixups).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "btf/btf.h"

namespace btfcheck::btf {

// `type_words`: the type section as host-order 32-bit words; `strings`: the whole string
// section (its first byte should be NUL for base BTF).
inline std::vector<uint8_t> write_blob(std::span<const uint32_t> type_words,
                                       std::string_view strings,
                                       Endian endian = host_endian()) {
  std::vector<uint8_t> out(kHeaderSize + type_words.size() * 4 + strings.size());
  auto put32 = [&](size_t off, uint32_t v) {
    if (endian != host_endian()) v = __builtin_bswap32(v);
    std::memcpy(out.data() + off, &v, 4);
  };
  const uint32_t type_len = uint32_t(type_words.size() * 4);
  const uint16_t magic = endian == Endian::Little ? 0xEB9F : 0x9FEB;   // as stored LE
  out[0] = uint8_t(magic & 0xff);
  out[1] = uint8_t(magic >> 8);
  out[2] = 1;   // version
  out[3] = 0;   // flags
  put32(4, kHeaderSize);
  put32(8, 0);
  put32(12, type_len);
  put32(16, type_len);
  put32(20, uint32_t(strings.size()));
  for (size_t i = 0; i < type_words.size(); ++i) put32(kHeaderSize + 4 * i, type_words[i]);
  std::memcpy(out.data() + kHeaderSize + type_len, strings.data(), strings.size());
  return out;
}

}  // namespace btfcheck::btf
