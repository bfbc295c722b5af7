#include "encoder/fixup/btf_edit.h"

#include <cstring>

#include "btf/kinds.h"

namespace btfcheck::fixup {
namespace {

using btf::Kind;

constexpr int kMaxResolveDepth = 32;   // libbpf's MAX_RESOLVE_DEPTH
constexpr uint32_t kPtrSize = 8;       // libbpf sets 8-byte pointers for BPF objects

void put32(std::vector<uint8_t>& out, size_t at, uint32_t v, btf::Endian e) {
  if (e != btf::host_endian()) v = __builtin_bswap32(v);
  std::memcpy(out.data() + at, &v, 4);
}

bool is_mod_or_typedef(uint32_t kind) {
  switch (Kind(kind)) {
    case Kind::Volatile: case Kind::Const: case Kind::Restrict: case Kind::TypeTag:
    case Kind::Typedef:
      return true;
    default:
      return false;
  }
}

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
  e.words_.reserve(e.hdr_.type_len / 4);
  e.starts_.reserve(b.own_count());
  for (uint32_t id = b.start_id(); id < b.type_count(); ++id) {
    btf::Type t = b.type(id);
    e.starts_.push_back(uint32_t(e.words_.size()));
    for (size_t w = 0; w < t.words(); ++w) e.words_.push_back(t.word(w));
  }
  std::span<const uint8_t> s = b.strings();
  e.strings_.assign(reinterpret_cast<const char*>(s.data()), s.size());
  // String boundaries as libbpf's strset__new() walks them: from 0, each string's end + 1.
  for (size_t off = 0; off < e.strings_.size();) {
    e.boundaries_.push_back(uint32_t(off));
    const void* nul = std::memchr(e.strings_.data() + off, 0, e.strings_.size() - off);
    if (!nul) break;
    off = size_t(static_cast<const char*>(nul) - e.strings_.data()) + 1;
  }
  return e;
}

std::span<uint32_t> BtfEdit::rec(uint32_t id) {
  if (!valid(id)) return {};
  const uint32_t start = starts_[id - 1];
  const uint32_t end = id < starts_.size() ? starts_[id] : uint32_t(words_.size());
  return std::span<uint32_t>(words_).subspan(start, end - start);
}

std::span<const uint32_t> BtfEdit::rec(uint32_t id) const {
  return const_cast<BtfEdit*>(this)->rec(id);
}

uint32_t BtfEdit::kind(uint32_t id) const {
  auto r = rec(id);
  return r.size() >= 3 ? btf::info_kind(r[1]) : 0;
}

uint32_t BtfEdit::vlen(uint32_t id) const {
  auto r = rec(id);
  return r.size() >= 3 ? btf::info_vlen(r[1]) : 0;
}

uint64_t BtfEdit::offset(uint32_t id) const {
  if (!valid(id)) return 0;
  return uint64_t(hdr_.hdr_len) + hdr_.type_off + 4ull * starts_[id - 1];
}

std::optional<std::string_view> BtfEdit::str(uint32_t off) const {
  if (off >= strings_.size()) return std::nullopt;
  const void* nul = std::memchr(strings_.data() + off, 0, strings_.size() - off);
  if (!nul) return std::nullopt;
  return std::string_view(strings_.data() + off,
                          size_t(static_cast<const char*>(nul) - (strings_.data() + off)));
}

std::string_view BtfEdit::name(uint32_t id) const {
  auto r = rec(id);
  if (r.empty()) return "";
  return str(r[0]).value_or("");
}

uint32_t BtfEdit::add_string(std::string_view s) {
  for (uint32_t off : boundaries_) {
    auto have = str(off);
    if (have && *have == s) return off;
  }
  // libbpf appends after the last byte of the section (which ends in NUL for valid BTF).
  const uint32_t off = uint32_t(strings_.size());
  strings_.append(s);
  strings_.push_back('\0');
  boundaries_.push_back(off);
  appended_ = true;
  return off;
}

uint32_t BtfEdit::add_var(std::string_view name, uint32_t linkage, uint32_t type) {
  const uint32_t name_off = add_string(name);
  starts_.push_back(uint32_t(words_.size()));
  words_.push_back(name_off);
  words_.push_back(btf::make_info(uint32_t(Kind::Var), 0, false));
  words_.push_back(type);
  words_.push_back(linkage);
  appended_ = true;
  return uint32_t(starts_.size());
}

std::vector<uint8_t> BtfEdit::serialize() const {
  const uint64_t type_len = 4ull * words_.size();
  if (!appended_) {
    std::vector<uint8_t> out = input_;
    const uint64_t at = uint64_t(hdr_.hdr_len) + hdr_.type_off;
    for (size_t i = 0; i < words_.size(); ++i) put32(out, at + 4 * i, words_[i], endian_);
    return out;
  }
  std::vector<uint8_t> out(hdr_.hdr_len + type_len + strings_.size());
  std::memcpy(out.data(), input_.data(), hdr_.hdr_len);
  // Header fields a short header does not hold stay absent, as in the input.
  auto set_field = [&](uint32_t at, uint32_t v) {
    if (at + 4 <= hdr_.hdr_len) put32(out, at, v, endian_);
  };
  set_field(8, 0);
  set_field(12, uint32_t(type_len));
  set_field(16, uint32_t(type_len));
  set_field(20, uint32_t(strings_.size()));
  for (size_t i = 0; i < words_.size(); ++i) put32(out, hdr_.hdr_len + 4 * i, words_[i], endian_);
  if (!strings_.empty())
    std::memcpy(out.data() + hdr_.hdr_len + type_len, strings_.data(), strings_.size());
  return out;
}

std::optional<uint64_t> resolve_size(const BtfEdit& b, uint32_t id) {
  uint64_t nelems = 1;
  for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
    if (id == 0 || !b.valid(id)) return std::nullopt;   // void / null: libbpf -EINVAL
    auto r = b.rec(id);
    switch (Kind(b.kind(id))) {
      case Kind::Int: case Kind::Struct: case Kind::Union: case Kind::Enum: case Kind::Enum64:
      case Kind::Datasec: case Kind::Float: {
        const uint64_t size = r[2];
        if (nelems && size > UINT32_MAX / nelems) return std::nullopt;   // -E2BIG
        return nelems * size;
      }
      case Kind::Ptr:
        return nelems * kPtrSize;
      case Kind::Typedef: case Kind::Volatile: case Kind::Const: case Kind::Restrict:
      case Kind::Var: case Kind::DeclTag: case Kind::TypeTag:
        id = r[2];
        break;
      case Kind::Array: {
        const uint32_t n = r[5];
        if (nelems && n > UINT32_MAX / nelems) return std::nullopt;
        nelems *= n;
        id = r[3];
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<uint32_t> align_of(const BtfEdit& b, uint32_t id, int depth) {
  if (depth > kMaxResolveDepth || !b.valid(id)) return std::nullopt;
  auto r = b.rec(id);
  switch (Kind(b.kind(id))) {
    case Kind::Int: case Kind::Enum: case Kind::Enum64: case Kind::Float:
      return std::min(kPtrSize, r[2]);
    case Kind::Ptr:
      return kPtrSize;
    case Kind::Typedef: case Kind::Volatile: case Kind::Const: case Kind::Restrict:
    case Kind::TypeTag:
      return align_of(b, r[2], depth + 1);
    case Kind::Array:
      return align_of(b, r[3], depth + 1);
    case Kind::Struct: case Kind::Union: {
      const bool kflag = btf::info_kflag(r[1]);
      uint32_t max_align = 1;
      for (uint32_t i = 0; i < b.vlen(id); ++i) {
        auto a = align_of(b, r[4 + 3 * i], depth + 1);
        if (!a || *a == 0) return std::nullopt;
        max_align = std::max(max_align, *a);
        const uint32_t off = r[5 + 3 * i];
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
    if (!b.valid(id) || !is_mod_or_typedef(b.kind(id))) return id;
    id = b.rec(id)[2];
  }
  return 0;
}

}  // namespace btfcheck::fixup
