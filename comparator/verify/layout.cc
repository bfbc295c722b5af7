// The layout section (libbpf 1.8 / bpf-next 2026): one struct btf_layout {info_sz, elem_sz,
// flags} per kind the producer knew, so that a reader can skip records of kinds it does not.
//
// bpf-next's btf_parse_layout_sec runs for BPF_BTF_LOAD only, when hdr_len >= 32 and
// layout_len != 0, and checks the section's framing, nothing of its contents:
//   layout_off & 3 -> "Unaligned layout_off"; layout_len < 4 -> "Layout section is too small";
//   layout_len % 4 -> "layout_len is not multiple of 4"; past the blob's end -> "Layout
//   section is too big" (Btf::parse stops there already, as sec.past-end).
// btfcheck adds one check of its own, whatever the release: the entry of every kind the
// kind table knows must give that kind's sizes (layout.entry). A wrong entry makes a reader
// that relies on the layout (libbpf, for kinds it does not know) misread every record after
// it; the kernel itself never reads the entries.
#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {
namespace {

std::string n(uint64_t v) { return std::to_string(v); }

}  // namespace

void check_layout(const btf::Btf& btf, const Options& opts, Sink& sink) {
  const btf::Header& h = btf.header();
  if (!h.has_layout()) return;
  if (opts.layout_checks) {
    if (h.layout_off & 3)
      sink.header("layout.align", 24, "Unaligned layout_off: " + n(h.layout_off));
    if (h.layout_len < sizeof(btf::LayoutEntry))
      sink.header("layout.too-small", 28, "Layout section is too small: layout_len " +
                                              n(h.layout_len) + " holds no struct btf_layout");
    if (h.layout_len % sizeof(btf::LayoutEntry))
      sink.header("layout.len-multiple", 28,
                  "layout_len is not multiple of 4: " + n(h.layout_len));
  }
  const uint64_t start = uint64_t(h.hdr_len) + h.layout_off;
  const auto entries = btf.layout();
  for (uint32_t k = 0; k < entries.size() && k <= btf::kMaxKnownKind; ++k) {
    const btf::KindLayout& kl = btf::kind_layout(k);
    const btf::LayoutEntry want{uint8_t(4 * kl.fixed_words), uint8_t(4 * kl.vlen_words), 0};
    const btf::LayoutEntry& got = entries[k];
    if (got.info_sz == want.info_sz && got.elem_sz == want.elem_sz) continue;
    sink.header("layout.entry", start + 4 * k,
                "layout entry " + n(k) + " (" + std::string(btf::kind_name(k)) + ") says info_sz " +
                    n(got.info_sz) + ", elem_sz " + n(got.elem_sz) + "; a " +
                    std::string(btf::kind_name(k)) + " record has " + n(want.info_sz) +
                    " and " + n(want.elem_sz));
  }
}

}  // namespace btfcheck::verify::detail
