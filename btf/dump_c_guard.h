// Internal to the dump stage: checks that make a blob safe to hand to libbpf's btf_dump
// (see dump_c_guard.cc).
#pragma once

#include <optional>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::dump {

// nullopt when libbpf's btf_dump can safely print every type of `top` (base included).
std::optional<Error> c_dump_guard(const btf::Btf& top);

}  // namespace btfcheck::dump
