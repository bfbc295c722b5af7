// libbpf 1.8's blob framing for the encoder's output: a 32-byte header (layout_off and
// layout_len after str_len), and with the `layout` feature the layout section between the
// types and the strings (one {info_sz, elem_sz, flags} per kind 0..19, from the kind table).
#pragma once

#include <string>
#include <string_view>

#include "btf/error.h"

namespace btfcheck::encode {

// `raw`: a blob with libbpf <= 1.7's 24-byte header (types first, then strings), in the
// byte order `big_endian` says. Returns the same types and strings behind a 32-byte header,
// with the layout section when `layout`.
Result<std::string> with_header32(std::string_view raw, bool big_endian, bool layout,
                                  const std::string& path);

}  // namespace btfcheck::encode
