// dump: print a parsed BTF the way bpftool does.
//
//   raw   byte-identical to `bpftool btf dump file F` (bpftool v7.1, libbpf 1.1): one line
//         per type "[id] KIND 'name' fields...", tab-indented lines for members, params,
//         enumerators and DATASEC entries. Split BTF prints only its own ids, numbered
//         after the base's.
//   json  the same fields as `bpftool -j btf dump file F` ({"types":[...]}), compact, one
//         trailing newline. Strings are escaped as proper JSON (bpftool's writer turns a
//         backslash into "\n" and a quote mark into "\'"; we do not copy that).
//   c     C declarations through libbpf's btf_dump, wrapped in the vmlinux.h header guard
//         and preserve_access_index pragma exactly as `... format c` prints them.
//
// raw and json walk the checked btf::Btf view and never fail: names whose offset is out of
// range print "(invalid)" as bpftool does, and a DATASEC entry pointing past the last type
// id gets no "(KIND 'name')" suffix. c hands the bytes to libbpf, which may reject BTF the
// view accepts; that is an Error (rule "dump.libbpf").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::dump {

enum class Format : uint8_t { Raw, Json, C };

// "raw" | "json" | "c"; nullopt otherwise.
std::optional<Format> parse_format(std::string_view name);

struct Options {
  Format format = Format::Raw;
  // Pointer size for the C dump (libbpf's btf__set_pointer_size); 0 = let libbpf guess from
  // the "long" types, as it does for raw BTF. bpftool takes it from the ELF class.
  uint32_t pointer_size = 0;
};

// The whole dump as one string.
Result<std::string> dump(const btf::Btf& btf, const Options& opts = {});

// The individual formats; raw and json append to `out` and cannot fail.
void dump_raw(const btf::Btf& btf, std::string& out);
void dump_json(const btf::Btf& btf, std::string& out);
Result<std::string> dump_c(const btf::Btf& btf, uint32_t pointer_size = 0);

// One type in raw format, without the trailing newline (for error messages and tests).
std::string raw_type_line(const btf::Btf& btf, uint32_t id);

}  // namespace btfcheck::dump
