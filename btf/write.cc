#include "btf/write.h"

#include <algorithm>
#include <cstring>

namespace btfcheck::btf {

void put_words(uint8_t* out, std::span<const uint32_t> words, Endian endian) {
  if (endian == host_endian()) {
    if (!words.empty()) std::memcpy(out, words.data(), words.size() * 4);
    return;
  }
  for (size_t i = 0; i < words.size(); ++i) {
    const uint32_t v = __builtin_bswap32(words[i]);
    std::memcpy(out + 4 * i, &v, 4);
  }
}

std::vector<uint8_t> write_blob(std::span<const uint32_t> type_words, std::string_view strings,
                                Endian endian, const BlobLayout& layout, BlobSections* where) {
  const uint32_t type_len = uint32_t(type_words.size() * 4);
  const uint32_t str_len = uint32_t(strings.size());
  const uint32_t type_off = layout.strings_first ? str_len + layout.gap : 0;
  const uint32_t str_off = layout.strings_first ? 0 : type_len + layout.gap;
  const uint64_t data = uint64_t(type_len) + str_len + layout.gap + layout.trailing;
  std::vector<uint8_t> out(std::max<uint64_t>(layout.hdr_len, 8) + data, 0);
  const uint16_t magic = endian == Endian::Little ? 0xEB9F : 0x9FEB;   // as stored LE
  out[0] = uint8_t(magic & 0xff);
  out[1] = uint8_t(magic >> 8);
  out[2] = 1;   // version
  out[3] = 0;   // flags
  // hdr_len, then the fields a short header has room for.
  const uint32_t fields[5] = {layout.hdr_len, type_off, type_len, str_off, str_len};
  for (uint32_t i = 0; i < 5; ++i)
    if (i == 0 || 8 + 4 * i <= layout.hdr_len)
      put_words(out.data() + 4 + 4 * i, {&fields[i], 1}, endian);
  const uint64_t type_start = uint64_t(layout.hdr_len) + type_off;
  const uint64_t str_start = uint64_t(layout.hdr_len) + str_off;
  put_words(out.data() + type_start, type_words, endian);
  if (str_len) std::memcpy(out.data() + str_start, strings.data(), str_len);
  if (where) *where = {type_start, str_start};
  return out;
}

}  // namespace btfcheck::btf
