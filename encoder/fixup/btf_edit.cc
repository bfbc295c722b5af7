#include "encoder/fixup/btf_edit.h"

#include <cstring>

#include "btf/kinds.h"
#include "btf/write.h"

namespace btfcheck::fixup {
namespace {

using btf::Kind;

constexpr int kMaxResolveDepth = 32;   // libbpf's MAX_RESOLVE_DEPTH
constexpr uint32_t kPtrSize = 8;       // libbpf sets 8-byte pointers for BPF objects

}  // namespace

Result<BtfEdit> BtfEdit::parse(std::span<const uint8_t> bytes, const std::string& file,
                               const std::string& section) {
  btf::ParseOptions po;
  po.file = file;
  po.section = section;
  auto parsed = btf::Btf::parse(std::vector<uint8_t>(bytes.begin(), bytes.end()), po);
  if (!parsed) return parsed.error();
  const btf::Btf& b = **parsed;

  BtfEdit e;
  e.input_.assign(bytes.begin(), bytes.end());
  e.hdr_ = b.header();
  e.endian_ = b.endian();
  e.file_ = file;
  e.section_ = section;
  e.records_ = btf::Records::of(b);
  std::span<const uint8_t> s = b.strings();
  e.strings_ = btf::StringTable::continuing(std::string(s.begin(), s.end()));
  return e;
}

std::span<uint32_t> BtfEdit::rec(uint32_t id) {
  if (!valid(id)) return {};
  return {records_.rec(id), size_t(btf::record_words(records_.kind(id), records_.vlen(id)))};
}

std::span<const uint32_t> BtfEdit::rec(uint32_t id) const {
  return const_cast<BtfEdit*>(this)->rec(id);
}

uint32_t BtfEdit::kind(uint32_t id) const { return valid(id) ? records_.kind(id) : 0; }

uint32_t BtfEdit::vlen(uint32_t id) const { return valid(id) ? records_.vlen(id) : 0; }

uint64_t BtfEdit::offset(uint32_t id) const {
  if (!valid(id)) return 0;
  return uint64_t(hdr_.hdr_len) + hdr_.type_off + 4ull * records_.at[id - 1];
}

std::optional<std::string_view> BtfEdit::str(uint32_t off) const {
  const std::string& d = strings_.data();
  if (off >= d.size()) return std::nullopt;
  const void* nul = std::memchr(d.data() + off, 0, d.size() - off);
  if (!nul) return std::nullopt;
  return std::string_view(d.data() + off, size_t(static_cast<const char*>(nul) - (d.data() + off)));
}

std::string_view BtfEdit::name(uint32_t id) const {
  auto r = rec(id);
  if (r.empty()) return "";
  return str(r[0]).value_or("");
}

uint32_t BtfEdit::add_string(std::string_view s) {
  const uint32_t end = strings_.end();
  const uint32_t off = strings_.add(s);
  appended_ |= strings_.end() != end;
  return off;
}

uint32_t BtfEdit::add_var(std::string_view name, uint32_t linkage, uint32_t type) {
  const uint32_t var[] = {add_string(name), btf::make_info(uint32_t(btf::Kind::Var), 0, false),
                          type, linkage};
  appended_ = true;
  return records_.add(var);
}

std::vector<uint8_t> BtfEdit::serialize() const {
  if (!appended_) {
    std::vector<uint8_t> out = input_;
    btf::put_words(out.data() + hdr_.hdr_len + hdr_.type_off, records_.words, endian_);
    return out;
  }
  // Laid out again as libbpf does: the input's header (its own hdr_len, version, flags and
  // any bytes past the fields kept), types at offset 0, strings after them.
  btf::BlobLayout layout;
  layout.hdr_len = hdr_.hdr_len;
  std::vector<uint8_t> out = btf::write_blob(records_.words, strings_.data(), endian_, layout);
  std::memcpy(out.data(), input_.data(), std::min<size_t>(4, hdr_.hdr_len));
  if (hdr_.hdr_len > btf::kHeaderSize)
    std::memcpy(out.data() + btf::kHeaderSize, input_.data() + btf::kHeaderSize,
                hdr_.hdr_len - btf::kHeaderSize);
  return out;
}

std::optional<uint32_t> align_of(const BtfEdit& b, uint32_t id, int depth) {
  if (depth > kMaxResolveDepth || !b.valid(id)) return std::nullopt;
  auto r = b.rec(id);
  const uint32_t k = b.kind(id);
  if (btf::is_modifier_or_typedef(k)) return align_of(b, r[2], depth + 1);
  switch (Kind(k)) {
    case Kind::Int: case Kind::Enum: case Kind::Enum64: case Kind::Float:
      return std::min(kPtrSize, r[2]);
    case Kind::Ptr:
      return kPtrSize;
    case Kind::Array:
      return align_of(b, r[btf::ref_word(k, btf::RefRole::Element)], depth + 1);
    case Kind::Struct: case Kind::Union: {
      const bool kflag = btf::info_kflag(r[1]);
      uint32_t max_align = 1;
      for (uint32_t i = 0; i < b.vlen(id); ++i) {
        auto a = align_of(b, r[btf::entry_ref_word(k, i)], depth + 1);
        if (!a || *a == 0) return std::nullopt;
        max_align = std::max(max_align, *a);
        const uint32_t off = r[btf::entry_word(k, i) + 2];   // the member's offset word
        const uint32_t bit_off = kflag ? (off & 0xffffff) : off;
        const uint32_t bitfield = kflag ? (off >> 24) : 0;
        // A member not aligned to its type's alignment means the struct is packed.
        if (bitfield == 0 && bit_off % (8 * *a) != 0) return 1;
      }
      if (r[2] % max_align != 0) return 1;
      return max_align;
    }
    default:
      return std::nullopt;
  }
}

uint32_t skip_mods_and_typedefs(const BtfEdit& b, uint32_t id) {
  for (int depth = 0; depth <= kMaxResolveDepth; ++depth) {
    if (!b.valid(id) || !btf::is_modifier_or_typedef(b.kind(id))) return id;
    id = b.rec(id)[2];
  }
  return 0;
}

}  // namespace btfcheck::fixup
