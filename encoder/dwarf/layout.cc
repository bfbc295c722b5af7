// The 32-byte header and the layout section (see layout.h). libbpf 1.8 keeps the layout
// right after the types (layout_off = type_len) and the strings right after it, all
// offsets relative to the end of the header; without a layout both fields are 0.
#include "encoder/dwarf/layout.h"

#include <array>

#include "btf/btf.h"
#include "btf/bytes.h"
#include "btf/kinds.h"
#include "btf/write.h"

namespace btfcheck::encode {

Result<std::string> with_header32(std::string_view raw, bool big_endian, bool layout,
                                  const std::string& path) {
  const btf::Endian endian = big_endian ? btf::Endian::Big : btf::Endian::Little;
  const btf::ByteReader reader({reinterpret_cast<const uint8_t*>(raw.data()), raw.size()}, endian);
  auto word = [&](size_t off) { return reader.u32(off).value_or(0); };
  if (raw.size() < btf::kHeaderSize || word(4) != btf::kHeaderSize)
    return file_error(path, "encode.internal", "libbpf's output has no 24-byte header");
  const uint32_t type_off = word(8), type_len = word(12), str_off = word(16), str_len = word(20);
  if (type_off != 0 || str_off != type_len ||
      uint64_t(btf::kHeaderSize) + type_len + str_len != raw.size())
    return file_error(path, "encode.internal", "libbpf's output is not types then strings");
  constexpr uint32_t kKinds = btf::kMaxKnownKind + 1;
  const uint32_t layout_len = layout ? kKinds * 4 : 0;
  // magic/version/flags word as it is, then hdr_len, type_off, type_len, str_off, str_len,
  // layout_off, layout_len.
  std::array<uint32_t, 7> fields{btf::kLayoutHeaderSize, 0, type_len, type_len + layout_len,
                                 str_len, layout ? type_len : 0, layout_len};
  std::string out;
  out.reserve(raw.size() + 8 + layout_len);
  out.append(raw.substr(0, 4));
  out.resize(btf::kLayoutHeaderSize);
  btf::put_words(reinterpret_cast<uint8_t*>(out.data()) + 4, fields, endian);
  out.append(raw.substr(btf::kHeaderSize, type_len));
  for (uint32_t k = 0; k < kKinds && layout; ++k) {
    const btf::KindLayout& l = btf::kind_layout(k);
    // info_sz, elem_sz (bytes), flags (u16, always 0)
    out.push_back(static_cast<char>(l.fixed_words * 4));
    out.push_back(static_cast<char>(l.vlen_words * 4));
    out.append(2, '\0');
  }
  out.append(raw.substr(btf::kHeaderSize + type_len, str_len));
  return out;
}

}  // namespace btfcheck::encode
