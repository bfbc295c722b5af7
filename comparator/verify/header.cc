// Header, section layout and string section: btf_parse_hdr, btf_check_sec_info,
// btf_parse_str_sec and the start of btf_parse_type_sec.
//
// Btf::parse already stopped at what makes the blob unreadable (short blob, bad magic,
// hdr_len or a section past the end). Everything else the kernel checks before looking at
// types is here, each rule reported on its own:
//   - header: BTF_MAX_SIZE, hdr_len vs struct btf_header, header bytes beyond the release's
//     struct btf_header (24 bytes; 32 in bpf-next) must be zero, version 1, flags 0, base
//     BTF must have data after the header;
//   - sections, sorted by (offset, length) as the kernel sorts them, must tile the data
//     after the header: a hole is a gap, a section starting inside the previous one is an
//     overlap, data after the last section is "Unsupported section found". In bpf-next a
//     layout section (hdr_len >= 32, layout_len != 0) is a third section;
//   - the string section must end the blob (unless bpf-next and hdr_len >= 32), be
//     NUL-terminated, at most BTF_MAX_NAME_OFFSET+1 long, and (base BTF) start with NUL;
//     split BTF may have none;
//   - the type section must be 4-aligned and (base BTF) non-empty.
#include <algorithm>
#include <array>
#include <span>

#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {
namespace {

std::string n(uint64_t v) { return std::to_string(v); }

}  // namespace

void check_header(const btf::Btf& btf, const Options& opts, Sink& sink) {
  const btf::Header& h = btf.header();
  const auto bytes = btf.bytes();
  const uint64_t size = bytes.size();
  const bool split = btf.base() != nullptr;

  if (opts.max_size && size > opts.max_size)
    sink.header("blob.size", 0, "BTF of " + n(size) + " bytes exceeds BTF_MAX_SIZE (" +
                                    n(opts.max_size) + " bytes); BPF_BTF_LOAD fails with E2BIG");
  if (h.hdr_len < btf::kHeaderSize)
    sink.header("hdr.short", 4, "hdr_len " + n(h.hdr_len) + " is shorter than struct btf_header (" +
                                    n(btf::kHeaderSize) + " bytes); missing fields read as 0");
  for (uint64_t i = opts.header_size; i < h.hdr_len && i < size; ++i) {
    if (bytes[i]) {
      sink.header("hdr.unsupported", i,
                  "Unsupported btf_header: hdr_len " + n(h.hdr_len) + " and byte " + n(i) +
                      " of the header is not zero (" +
                      (i < btf::kLayoutHeaderSize && h.hdr_len >= btf::kLayoutHeaderSize
                           ? "layout_off/layout_len, which Linux " + opts.kernel +
                                 " does not know: struct btf_header has " +
                                 n(opts.header_size) + " bytes"
                           : "struct btf_header has " + n(opts.header_size) + " bytes") +
                      ")");
      break;
    }
  }
  if (h.version != 1)
    sink.header("hdr.version", 2, "Unsupported version: " + n(h.version) + " (expected 1)");
  if (h.flags) sink.header("hdr.flags", 3, "Unsupported flags: " + n(h.flags));
  if (!split && size == h.hdr_len)
    sink.header("hdr.no-data", 4, "No data: nothing follows the " + n(h.hdr_len) + "-byte header");

  // btf_check_sec_info: sections sorted by (off, len) must tile [hdr_len, size).
  struct Sec {
    uint32_t off, len;
    const char* name;
  };
  const bool long_header = opts.header_size >= btf::kLayoutHeaderSize &&
                           h.hdr_len >= btf::kLayoutHeaderSize;
  std::array<Sec, 3> all{{{h.type_off, h.type_len, "type"},
                          {h.str_off, h.str_len, "string"},
                          {h.layout_off, h.layout_len, "layout"}}};
  const std::span<Sec> secs(all.data(), long_header && h.layout_len ? 3 : 2);
  std::stable_sort(secs.begin(), secs.end(), [](const Sec& a, const Sec& b) {
    return a.off != b.off ? a.off < b.off : a.len < b.len;
  });
  const uint64_t expected = size >= h.hdr_len ? size - h.hdr_len : 0;
  uint64_t total = 0;
  for (const Sec& s : secs) {
    const uint64_t end = uint64_t(s.off) + s.len;
    if (total < s.off) {
      sink.header("sec.gap", h.hdr_len + total,
                  "Unsupported section found: " + n(s.off - total) + " unclaimed bytes before the " +
                      s.name + " section (data offset " + n(total) + ")");
      total = end;
    } else if (total > s.off) {
      sink.header("sec.overlap", h.hdr_len + uint64_t(s.off),
                  std::string("Section overlap found: the ") + s.name + " section [" + n(s.off) +
                      ", " + n(end) + ") starts before the previous section ends (" + n(total) + ")");
      total = std::max(total, end);
    } else {
      total = end;
    }
  }
  if (total < expected)
    sink.header("sec.trailing", h.hdr_len + total,
                "Unsupported section found: " + n(expected - total) +
                    " bytes after the last section");

  // btf_parse_str_sec.
  const uint64_t str_start = uint64_t(h.hdr_len) + h.str_off;
  if (str_start + h.str_len != size && !long_header)
    sink.header("sec.str-not-last", 16, "String section is not at the end: it ends at " +
                                            n(str_start + h.str_len) + " of " + n(size) + " bytes");
  const auto strings = btf.strings();
  if (!(split && h.str_len == 0)) {
    if (h.str_len == 0) {
      sink.header("str.empty", 20, "Invalid string section: empty (base BTF needs at least \"\\0\")");
    } else {
      if (h.str_len - 1 > kMaxNameOffset)
        sink.header("str.too-long", 20, "Invalid string section: " + n(h.str_len) +
                                            " bytes, offsets above BTF_MAX_NAME_OFFSET (" +
                                            n(kMaxNameOffset) + ")");
      if (strings.back() != 0)
        sink.header("str.last-not-nul", str_start + h.str_len - 1,
                    "Invalid string section: last byte is not NUL");
      if (!split && strings.front() != 0)
        sink.header("str.first-not-nul", str_start,
                    "Invalid string section: base BTF must start with the empty string");
    }
  }

  // btf_parse_type_sec's own checks (the vmlinux/module path skips them).
  if (opts.type_section_checks) {
    if (h.type_off & 3)
      sink.header("sec.type-align", 8, "Unaligned type_off: " + n(h.type_off));
    if (!split && h.type_len == 0) sink.header("sec.no-types", 12, "No type found");
  }
}

}  // namespace btfcheck::verify::detail
