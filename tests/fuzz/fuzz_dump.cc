// fuzz_dump: libFuzzer target for `btfcheck dump` (raw and json; fuzz_dump_c does c).
//
// Design: the input is parsed as one BTF blob (as `btfcheck dump FILE` does for a raw file)
// and, when the framing parses, printed as raw and json, which walk the checked view and
// must never fail. When the input is an archive of two or more blobs, member 1 is also
// dumped as split BTF on member 0, for the split id numbering.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/dump.h"
#include "btf/load.h"

namespace {

using btfcheck::btf::Btf;
using btfcheck::btf::ParseOptions;

std::shared_ptr<const Btf> parse(std::span<const uint8_t> bytes, std::shared_ptr<const Btf> base) {
  auto b = Btf::parse(std::vector<uint8_t>(bytes.begin(), bytes.end()),
                      ParseOptions{"fuzz-input", "", std::move(base)});
  return b ? *b : nullptr;
}

void dump_text(const Btf& b) {
  std::string out;
  btfcheck::dump::dump_raw(b, out);
  btfcheck::dump::dump_json(b, out);
  volatile size_t sink = out.size();
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  if (auto b = parse(in, nullptr)) dump_text(*b);
  auto members = btfcheck::btf::split_archive(in, "fuzz-input", ".BTF");
  if (!members || members->size() < 2) return 0;
  const auto& m0 = (*members)[0];
  const auto& m1 = (*members)[1];
  auto base = parse(in.subspan(m0.offset, m0.size), nullptr);
  if (!base) return 0;
  if (auto split = parse(in.subspan(m1.offset, m1.size), base)) dump_text(*split);
  return 0;
}
