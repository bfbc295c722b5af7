// fuzz_archive: libFuzzer target for BTF archives (concatenated per-object blobs).
//
// Design: split_archive on the input (its member offsets and sizes must lie inside the
// input: a broken contract traps), every member through Btf::parse, and, when every member
// parses, the libbpf merge (archive::merge_libbpf: btf__add_btf of each member, one
// btf__dedup) whose output must parse again with our reader, and the canonical merge
// (archive::merge_canonical). merge_libbpf is where untrusted bytes reach libbpf 1.1,
// which trusts names and ids, so this target is the check that the pre-checks in front
// of it are complete. Members are capped to keep executions fast.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "encoder/archive/archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  auto members = btfcheck::btf::split_archive(in, "fuzz-input", ".BTF");
  if (!members) return 0;
  if (members->size() > 8) return 0;
  for (const auto& m : *members) {
    if (m.offset > in.size() || m.size > in.size() - m.offset) __builtin_trap();   // contract
    auto part = in.subspan(m.offset, m.size);
    if (!btfcheck::btf::Btf::parse(std::vector<uint8_t>(part.begin(), part.end()),
                                   {"fuzz-input", ".BTF", nullptr}))
      return 0;
  }
  auto merged = btfcheck::archive::merge_libbpf(in, "fuzz-input", ".BTF");
  if (merged) {
    auto again = btfcheck::btf::Btf::parse(merged->bytes, {"merged", "", nullptr});
    if (!again) __builtin_trap();   // libbpf's output must be well-framed BTF
  }
  auto canonical = btfcheck::archive::merge_canonical(in, "fuzz-input", ".BTF");
  if (canonical) {
    auto again = btfcheck::btf::Btf::parse(canonical->bytes, {"canonical", "", nullptr});
    if (!again) __builtin_trap();
  }
  return 0;
}
