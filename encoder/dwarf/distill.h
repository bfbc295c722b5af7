// distilled_base (distill.cc): split BTF on a distilled base, for out-of-tree modules.
#pragma once

#include <string>

#include "btf/error.h"

struct btf;

namespace btfcheck::encode {

struct Distilled {
  std::string base;    // the .BTF.base section: the distilled base BTF
  std::string split;   // the .BTF section: the split BTF on it
};

// `src`: split BTF (its base set). Errors name `path` (rule encode.distill).
Result<Distilled> distill_base(const struct btf* src, bool big_endian, const std::string& path);

}  // namespace btfcheck::encode
