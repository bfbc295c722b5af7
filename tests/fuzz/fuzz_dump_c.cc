// fuzz_dump_c: libFuzzer target for `btfcheck dump --format c`.
//
// Design: the input is parsed as one BTF blob and, when the framing parses, handed to
// dump_c, which runs libbpf's btf_dump. libbpf 1.1 trusts its input (it divides by zero on
// a FLOAT of size 0, as bpftool does: tests/fuzz/regressions/dump_c_float_size0.btf), so
// dump_c's guard must refuse every input libbpf cannot take, with an Error, before libbpf
// sees it. Kept apart from fuzz_dump because each call costs a libbpf btf__new and a thread,
// which would slow the raw/json fuzzing down tenfold.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "btf/btf.h"
#include "btf/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto b = btfcheck::btf::Btf::parse(std::vector<uint8_t>(data, data + size),
                                     btfcheck::btf::ParseOptions{"fuzz-input", "", nullptr});
  if (!b) return 0;
  auto c = btfcheck::dump::dump_c(**b);
  volatile size_t sink = c ? c->size() : c.error().str().size();
  (void)sink;
  return 0;
}
