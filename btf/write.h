// Writing a BTF blob: the one writer of everything that builds or rewrites BTF (the DWARF
// encoder's batches, the archive merge, sanitize, the encoder's FUNC drops, fixups, the
// synthetic benchmark input, the tests' builders). A header, the type section, then the
// string section, in the requested byte order; the inverse of Btf::parse for well-formed
// input. The default layout is libbpf's: a 24-byte header, types at offset 0, strings right
// after them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "btf/btf.h"

namespace btfcheck::btf {

// Other layouts, for tests that check how readers cope, and for rewriting a blob whose
// header is longer than 24 bytes.
struct BlobLayout {
  uint32_t hdr_len = kHeaderSize;   // > 24: zero bytes after the header's fields; < 24: the
                                    // fields that do not fit are left out (hdr_len >= 8)
  uint32_t gap = 0;                 // zero bytes between the first and the second section
  bool strings_first = false;       // the string section before the type section
  uint32_t trailing = 0;            // zero bytes after the last section
};
// Where write_blob put the sections (byte offsets in the blob).
struct BlobSections {
  uint64_t type_start = 0, str_start = 0;
};

// `type_words`: the type section as host-order 32-bit words; `strings`: the whole string
// section (its first byte should be NUL for base BTF).
std::vector<uint8_t> write_blob(std::span<const uint32_t> type_words, std::string_view strings,
                                Endian endian = host_endian(), const BlobLayout& layout = {},
                                BlobSections* where = nullptr);
// Stores host-order `words` at `out` in `endian` order (4 bytes each).
void put_words(uint8_t* out, std::span<const uint32_t> words, Endian endian);

}  // namespace btfcheck::btf
