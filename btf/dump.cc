// dump: format dispatch (see dump.h; the formats live in dump_raw.cc, dump_json.cc,
// dump_c.cc).
#include "btf/dump.h"

namespace btfcheck::dump {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "raw") return Format::Raw;
  if (name == "json") return Format::Json;
  if (name == "c") return Format::C;
  return std::nullopt;
}

Result<std::string> dump(const btf::Btf& btf, const Options& opts) {
  std::string out;
  switch (opts.format) {
    case Format::Raw:
      dump_raw(btf, out);
      return out;
    case Format::Json:
      dump_json(btf, out);
      return out;
    case Format::C:
      return dump_c(btf, opts.pointer_size);
  }
  return out;
}

}  // namespace btfcheck::dump
