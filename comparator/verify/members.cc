// Member placement: the kinds' check_member / check_kflag_member callbacks of
// kernel/bpf/btf.c, applied once a member's type is resolved (resolve.cc strips modifiers).
//
// Without kind_flag a member word is a plain bit offset: an INT member may sit at any bit
// (legacy bitfields keep their width in the INT), every other kind must be byte aligned
// (FLOAT: aligned to min(sizeof(void *), size)) and fit in the struct. With kind_flag the
// word is bitfield_size << 24 | bit_offset: INT bitfields need a regular INT and at most
// its width, ENUM bitfields at most 32 bits (a non-bitfield enum counts as 32 bits, for
// ENUM64 too, as in the kernel), other kinds must have bitfield_size 0. Arithmetic is u32
// as in the kernel, so the same wrap-arounds happen; a member offset past the struct's end
// was already reported by pass 1 (struct.member-offset) and is not reported again here
// unless the kernel's own check would report it.
#include <algorithm>
#include <limits>

#include "comparator/verify/internal.h"

namespace btfcheck::verify::detail {
namespace {

std::string n(uint64_t v) { return std::to_string(v); }

class Placement {
 public:
  Placement(const btf::Btf& btf, const Options& opts, Sink& sink, const btf::Type& s, uint32_t i)
      : btf_(btf), opts_(opts), sink_(sink), s_(s), i_(i), raw_(s.member(i).offset),
        at_(word_off(s, btf::entry_word(s.kind(), i) + 2)) {}

  bool check(const btf::Type& mt, uint32_t array_size) {
    const uint32_t k = mt.kind();
    if (k == K(Kind::Int)) {
      s_.kflag() ? int_kflag(mt) : int_plain(mt);
      return true;
    }
    if (is_any_enum(k)) {
      if (s_.kflag())
        enum_kflag();
      else if (byte_aligned(raw_))
        fits(raw_ / 8, mt.size());
      return true;
    }
    if (k != K(Kind::Ptr) && k != K(Kind::Array) && !is_composite(k) && k != K(Kind::Float))
      return false;
    // btf_generic_check_kflag_member: only INT and ENUM members may be bitfields.
    if (s_.kflag() && (raw_ >> 24)) {
      report("struct.bitfield-size", "Invalid member bitfield_size: " + label() + " of kind " +
                                         std::string(mt.kind_name()) + " has bitfield_size " +
                                         n(raw_ >> 24));
      return true;
    }
    if (k == K(Kind::Float)) {
      float_member(mt);
    } else if (byte_aligned(raw_)) {
      const uint64_t need = k == K(Kind::Ptr) ? opts_.ptr_size
                            : k == K(Kind::Array) ? array_size
                                                  : mt.size();
      fits(raw_ / 8, need);
    }
    return true;
  }

 private:
  void report(std::string_view rule, std::string msg) { sink_.member(rule, s_, i_, at_, std::move(msg)); }
  std::string label() const { return member_label(btf_, s_, i_); }

  bool byte_aligned(uint32_t bits) {
    if (bits % 8 == 0) return true;
    report("struct.member-align", "Member is not byte aligned: " + label() + " at bit " + n(bits));
    return false;
  }
  // "struct_size - bytes_offset < size" in u32; an offset past the end is pass 1's finding.
  void fits(uint32_t bytes_offset, uint64_t need) {
    const uint32_t sz = s_.size();
    if (sz >= bytes_offset && sz - bytes_offset < need)
      report("struct.member-size", "Member exceeds struct_size: " + label() + " needs " + n(need) +
                                       " bytes at byte " + n(bytes_offset) + " of " + n(sz));
  }
  // Shared tail of the INT checks: copied bits <= 128 and inside the struct.
  void bits(uint32_t bits_off, uint32_t nr_bits) {
    const uint32_t copy = nr_bits + bits_off % 8, bytes = bits_off / 8, sz = s_.size();
    if (copy > 128) {
      report("struct.member-bits", "nr_copy_bits exceeds 128: " + label() + " spans " + n(copy) + " bits");
      return;
    }
    if (sz < bytes || sz - bytes < (copy + 7) / 8)
      report("struct.member-size", "Member exceeds struct_size: " + label() + " needs " +
                                       n((copy + 7) / 8) + " bytes at byte " + n(bytes) + " of " + n(sz));
  }

  void int_plain(const btf::Type& it) {
    if (std::numeric_limits<uint32_t>::max() - raw_ < it.int_offset()) {
      report("struct.member-bits", "bits_offset exceeds U32_MAX: " + label());
      return;
    }
    bits(raw_ + it.int_offset(), it.int_bits());
  }

  void int_kflag(const btf::Type& it) {
    if (!int_is_regular(it)) {
      report("struct.bitfield-base", "Invalid member base type: " + label() + " has " +
                                         describe(btf_, it.id()) + ", kind_flag members need a regular INT");
      return;
    }
    uint32_t nr = raw_ >> 24;
    const uint32_t off = raw_ & 0xffffff;
    if (!nr) {
      if (off % 8) {
        report("struct.member-align",
               "Invalid member offset: " + label() + " is not a bitfield but sits at bit " + n(off));
        return;
      }
      nr = it.int_bits();
    } else if (nr > it.int_bits()) {
      report("struct.bitfield-size", "Invalid member bitfield_size: " + n(nr) + " bits in a " +
                                         n(it.int_bits()) + "-bit INT (" + label() + ")");
      return;
    }
    bits(off, nr);
  }

  void enum_kflag() {
    uint32_t nr = raw_ >> 24;
    const uint32_t off = raw_ & 0xffffff;
    if (!nr) {
      if (!byte_aligned(off)) return;
      nr = 32;  // sizeof(int) * 8, for ENUM64 too, as the kernel has it
    } else if (nr > 32) {
      report("struct.bitfield-size",
             "Invalid member bitfield_size: " + n(nr) + " bits in an enum (" + label() + ")");
      return;
    }
    const uint32_t end = (off + nr + 7) / 8;
    if (s_.size() < end)
      report("struct.member-size", "Member exceeds struct_size: " + label() + " ends at byte " +
                                       n(end) + " of " + n(s_.size()));
  }

  void float_member(const btf::Type& ft) {
    const uint64_t align = std::min<uint64_t>(opts_.ptr_size, ft.size());
    if (align && raw_ % (align * 8)) {
      report("struct.member-align", "Member is not properly aligned: " + label() + " at bit " +
                                        n(raw_) + ", FLOAT needs " + n(align) + "-byte alignment");
      return;
    }
    const uint64_t end = uint64_t(raw_ / 8) + ft.size();
    if (end > s_.size())
      report("struct.member-size",
             "Member exceeds struct_size: " + label() + " ends at byte " + n(end) + " of " + n(s_.size()));
  }

  const btf::Btf& btf_;
  const Options& opts_;
  Sink& sink_;
  const btf::Type& s_;
  const uint32_t i_, raw_;
  const uint64_t at_;
};

}  // namespace

bool int_is_regular(const btf::Type& t) {
  const uint32_t bits = t.int_bits(), bytes = (bits + 7) / 8;
  return bits % 8 == 0 && t.int_offset() == 0 && bytes && bytes <= 16 && !(bytes & (bytes - 1));
}

std::string member_label(const btf::Btf& btf, const btf::Type& s, uint32_t i) {
  const std::string_view name = name_at(btf, s.member(i).name_off);
  return "member #" + n(i) + (name.empty() ? std::string() : " " + quoted(name));
}

bool check_member_placement(const btf::Btf& btf, const Options& opts, Sink& sink,
                            const btf::Type& s, uint32_t i, const btf::Type& mt,
                            uint32_t array_size) {
  return Placement(btf, opts, sink, s, i).check(mt, array_size);
}

}  // namespace btfcheck::verify::detail
