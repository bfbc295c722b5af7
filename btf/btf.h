// Btf: a checked, read-only, typed view of one BTF blob (optionally split on a base).
//
// Parsing decodes only the framing: header, section bounds, and the record boundaries of the
// type section (every record's kind must be known and its trailing data must fit). That is
// the point where a parser has to stop; everything else (reserved bits, names, sizes, loops)
// is the verifier's job, which collects every violation instead of stopping at the first.
// The type section is decoded once into host-order 32-bit words, so both byte orders read
// the same afterwards.
//
// The 32-byte header of libbpf 1.8 / bpf-next 2026 adds layout_off and layout_len: an
// optional layout section (one {info_sz, elem_sz, flags} per kind the producer knew,
// libbpf's struct btf_layout) that pahole writes between the types and the strings. It is
// read when hdr_len >= 32 and layout_len != 0; running past the end of the blob stops the
// parser (as the kernel's section check and libbpf do), everything else about it is the
// verifier's (layout.* rules). Kernels up to 6.18 treat the two fields as header bytes that
// must be zero.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "btf/bytes.h"
#include "btf/error.h"
#include "btf/kinds.h"
#include "btf/target.h"

namespace btfcheck::btf {

constexpr uint16_t kMagic = 0xEB9F;
constexpr uint32_t kHeaderSize = 24;        // struct btf_header of Linux 6.1-6.18
constexpr uint32_t kLayoutHeaderSize = 32;  // ... with layout_off/layout_len (bpf-next 2026)

struct Header {
  uint16_t magic = 0;
  uint8_t version = 0;
  uint8_t flags = 0;
  uint32_t hdr_len = 0;
  uint32_t type_off = 0, type_len = 0;
  uint32_t str_off = 0, str_len = 0;
  uint32_t layout_off = 0, layout_len = 0;   // 0 unless hdr_len >= 32
  // The header declares a layout section.
  bool has_layout() const { return hdr_len >= kLayoutHeaderSize && layout_len != 0; }
};

// One entry of the layout section (struct btf_layout): the kind's bytes after the common
// record (info_sz) and per vlen entry (elem_sz).
struct LayoutEntry {
  uint8_t info_sz = 0, elem_sz = 0;
  uint16_t flags = 0;
  bool operator==(const LayoutEntry&) const = default;
};

class Btf;

// Words in host byte order at any alignment (archive members sit at odd offsets of their
// section): w[i] is one unaligned load.
struct HostWords {
  const uint8_t* p;
  uint32_t operator[](size_t i) const {
    uint32_t v;
    std::memcpy(&v, p + 4 * i, sizeof v);
    return v;
  }
};

// One type record. Cheap to copy; valid while its Btf lives.
class Type {
 public:
  Type(const Btf* btf, uint32_t id, HostWords words, uint64_t offset,
       InfoFormat info = InfoFormat::Classic)
      : btf_(btf), id_(id), info_(info), w_(words), offset_(offset) {}

  uint32_t id() const { return id_; }
  const Btf& btf() const { return *btf_; }
  uint64_t offset() const { return offset_; }   // byte offset of the record in its blob
  uint32_t word(size_t i) const { return w_[i]; }
  size_t words() const { return record_words(kind(), vlen()); }

  uint32_t name_off() const { return w_[0]; }
  uint32_t info() const { return w_[1]; }
  uint32_t kind() const { return info_kind(w_[1], info_); }
  uint32_t vlen() const { return info_vlen(w_[1], info_); }
  bool kflag() const { return info_kflag(w_[1]); }
  uint32_t size() const { return w_[2]; }       // sized kinds
  uint32_t type() const { return w_[2]; }       // referencing kinds
  std::string_view kind_name() const { return btf::kind_name(kind()); }
  std::string_view name() const;                // "" when absent or invalid

  // Kind-specific trailing data (callers check kind first).
  uint32_t int_data() const { return w_[3]; }
  uint32_t int_encoding() const { return (w_[3] >> 24) & 0x0f; }
  uint32_t int_offset() const { return (w_[3] >> 16) & 0xff; }
  uint32_t int_bits() const { return w_[3] & 0xff; }
  struct ArrayInfo { uint32_t type, index_type, nelems; };
  ArrayInfo array() const { return {w_[3], w_[4], w_[5]}; }
  struct Member { uint32_t name_off, type, offset; };
  Member member(uint32_t i) const { return {w_[3 + 3 * i], w_[4 + 3 * i], w_[5 + 3 * i]}; }
  uint32_t member_bit_offset(uint32_t i) const {
    uint32_t o = member(i).offset;
    return kflag() ? (o & 0xffffff) : o;
  }
  uint32_t member_bitfield_size(uint32_t i) const { return kflag() ? member(i).offset >> 24 : 0; }
  struct EnumValue { uint32_t name_off; int64_t value; };   // ENUM: sign-extended if kflag
  EnumValue enumerator(uint32_t i) const;
  struct Param { uint32_t name_off, type; };
  Param param(uint32_t i) const { return {w_[3 + 2 * i], w_[4 + 2 * i]}; }
  uint32_t var_linkage() const { return w_[3]; }
  struct SecInfo { uint32_t type, offset, size; };
  SecInfo secinfo(uint32_t i) const { return {w_[3 + 3 * i], w_[4 + 3 * i], w_[5 + 3 * i]}; }
  int32_t decl_tag_component() const { return static_cast<int32_t>(w_[3]); }
  uint64_t enum64_value(uint32_t i) const {
    return uint64_t(w_[4 + 3 * i]) | (uint64_t(w_[5 + 3 * i]) << 32);
  }

 private:
  const Btf* btf_;
  uint32_t id_;
  InfoFormat info_;
  HostWords w_;
  uint64_t offset_;
};

struct ParseOptions {
  std::string file;                 // for error messages
  std::string section;              // ".BTF" for an ELF section, "" for a raw file
  std::shared_ptr<const Btf> base;  // split BTF: ids and string offsets continue the base's
  // The target the container (ELF header) or the user (--target) gives; without one the
  // BTF's own long (or its base's target) decides (target.h).
  std::optional<Target> target = std::nullopt;
  // How info words are read (kinds.h): Classic unless judging as bpf-next.
  InfoFormat info = InfoFormat::Classic;
};

class Btf {
 public:
  // Parses one BTF blob; stops with an Error at broken framing.
  static Result<std::shared_ptr<const Btf>> parse(std::vector<uint8_t> blob, ParseOptions opts);
  // The same on bytes it does not copy: they must stay valid as long as the Btf lives,
  // which `keep` (when not null) ensures. When the blob's byte order is the host's, the
  // type words are read in place too, at any alignment (the archive merge parses a 61 MB
  // archive's members this way).
  static Result<std::shared_ptr<const Btf>> parse_borrowed(std::span<const uint8_t> blob,
                                                           std::shared_ptr<const void> keep,
                                                           ParseOptions opts);
  Btf(const Btf&) = delete;
  Btf& operator=(const Btf&) = delete;

  const Header& header() const { return hdr_; }
  Endian endian() const { return endian_; }
  // The machine this BTF is for (target.h), from its container, the user or itself.
  const Target& target() const { return target_; }
  InfoFormat info_format() const { return info_; }
  // The layout section's entries (empty without one); a trailing partial entry is left out.
  std::span<const LayoutEntry> layout() const { return layout_; }
  std::span<const uint8_t> bytes() const { return bytes_; }
  ByteReader reader() const { return ByteReader(bytes_, endian_); }
  const std::string& file() const { return file_; }
  const std::string& section() const { return section_; }
  const Btf* base() const { return base_.get(); }
  const std::shared_ptr<const Btf>& base_ptr() const { return base_; }

  uint32_t start_id() const { return start_id_; }          // first id owned by this blob
  uint32_t own_count() const { return uint32_t(starts_.size()); }
  uint32_t type_count() const { return start_id_ + own_count(); }  // ids [0, type_count)
  bool owns(uint32_t id) const { return id >= start_id_ && id < type_count(); }
  bool valid_id(uint32_t id) const { return id < type_count(); }  // 0 = void is valid

  // Any id in [1, type_count): own or base. Precondition: valid_id(id) && id != 0.
  Type type(uint32_t id) const;

  uint32_t start_str_off() const { return start_str_; }   // base's string length for split
  uint32_t str_end() const { return start_str_ + hdr_.str_len; }
  // The string at a (split-aware) name offset; nullopt when out of range or unterminated.
  std::optional<std::string_view> str(uint32_t off) const;
  std::string_view str_or_empty(uint32_t off) const { return str(off).value_or(""); }
  // The same string as a NUL-terminated pointer, found without scanning it: when `off` is
  // in range and its section ends with a NUL (as producers write it); nullptr otherwise,
  // and then str() decides (a string running off the section's end is not one).
  const char* c_str(uint32_t off) const;
  // Raw string section of this blob.
  std::span<const uint8_t> strings() const {
    return bytes_.subspan(uint64_t(hdr_.hdr_len) + hdr_.str_off, hdr_.str_len);
  }

  // Error prefilled with this blob's file and section.
  Error error(std::string rule, std::string message) const;

 private:
  Btf() = default;
  static Result<std::shared_ptr<const Btf>> parse_into(std::shared_ptr<Btf> b, ParseOptions opts);
  std::vector<uint8_t> own_bytes_;          // parse(): the blob; parse_borrowed(): empty
  std::shared_ptr<const void> keep_;        // parse_borrowed(): what keeps the bytes alive
  std::span<const uint8_t> bytes_;          // the blob (own_bytes_ or borrowed)
  Endian endian_ = Endian::Little;
  Header hdr_;
  Target target_;
  InfoFormat info_ = InfoFormat::Classic;
  std::vector<LayoutEntry> layout_;
  std::string file_, section_;
  std::shared_ptr<const Btf> base_;
  uint32_t start_id_ = 1, start_str_ = 0;
  std::unique_ptr<uint32_t[]> own_words_;   // type section decoded to host order, unless...
  HostWords words_{nullptr};                // ...read in place (already in host order)
  std::vector<uint32_t> starts_;   // first word of each own record
};

// a.str_or_empty(a_off) == b.str_or_empty(b_off), in one pass where c_str() allows.
bool same_str(const Btf& a, uint32_t a_off, const Btf& b, uint32_t b_off);

inline const char* Btf::c_str(uint32_t off) const {
  if (off < start_str_) return base_ ? base_->c_str(off) : nullptr;
  off -= start_str_;
  const std::span<const uint8_t> s = strings();
  if (off >= s.size() || s.back() != 0) return nullptr;
  return reinterpret_cast<const char*>(s.data() + off);
}

inline bool same_str(const Btf& a, uint32_t a_off, const Btf& b, uint32_t b_off) {
  const char* x = a.c_str(a_off);
  const char* y = b.c_str(b_off);
  if (x && y) return std::strcmp(x, y) == 0;
  return a.str_or_empty(a_off) == b.str_or_empty(b_off);
}

inline Type Btf::type(uint32_t id) const {
  if (id < start_id_) return base_->type(id);
  const uint32_t w = starts_[id - start_id_];
  const uint64_t off = uint64_t(hdr_.hdr_len) + hdr_.type_off + 4ull * w;
  return Type(this, id, HostWords{words_.p + 4ull * w}, off, info_);
}

// Detects the byte order from the magic; nullopt when it is not a BTF magic.
std::optional<Endian> detect_endian(std::span<const uint8_t> blob);

}  // namespace btfcheck::btf
