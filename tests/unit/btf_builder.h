// BtfBuilder: builds BTF images in memory for tests, then lets a test corrupt exactly one
// field of the result.
//
//   using namespace btfcheck::testing;
//   BtfBuilder b;                                   // base BTF: ids from 1, strings "\0"...
//   uint32_t i = b.add_int("int", 4, 32, kIntSigned);
//   uint32_t s = b.add_struct("s", 8, {{"a", i, 0}, {"b", i, 32}});
//   Image img = b.build();                          // little endian, libbpf's layout
//   img.set_word(s, 5, 64);                         // member #0's offset word := 64
//   img.set_header(HeaderField::Flags, 1);
//   auto btf = img.parse();                         // Result<shared_ptr<const Btf>>
//
// Record words are numbered as in the kernel's struct btf_type: 0 name_off, 1 info,
// 2 size/type, then the kind's trailing data (INT data; ARRAY type/index/nelems; members
// name/type/offset; enumerators name/val(/val_hi); params name/type; VAR linkage;
// secinfos type/offset/size; DECL_TAG component_idx). Image::word(id, w) is the byte
// offset of such a word in the built blob, so violations can be matched by offset too.
//
// Split BTF: BtfBuilder::split(base) numbers types from base.type_count() and string
// offsets from base.str_end(); its string section starts empty (name "" is offset 0, the
// base's empty string). Image::parse(base) parses the image on that base.
//
// Layout (hdr_len, gap between sections, section order, trailing bytes) is chosen at build
// time; header fields can be patched afterwards. Values are written in the chosen byte
// order; all accessors take and return host-order numbers.
#pragma once

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "btf/btf.h"
#include "btf/kinds.h"
#include "btf/strings.h"
#include "btf/write.h"

namespace btfcheck::testing {

using btf::Endian;
using btf::Kind;

constexpr uint32_t kIntSigned = 1, kIntChar = 2, kIntBool = 4;  // INT encodings
constexpr uint32_t kFuncStatic = 0, kFuncGlobal = 1, kFuncExtern = 2;
constexpr uint32_t kVarStatic = 0, kVarGlobal = 1, kVarExtern = 2;

struct Member {
  std::string name;
  uint32_t type;
  uint32_t bit_offset;
  uint32_t bitfield_size = 0;  // encoded only in kind_flag structs
};
struct Enumerator {
  std::string name;
  int64_t value;
};
struct Param {
  std::string name;
  uint32_t type;
};
struct SecVar {
  uint32_t type, offset, size;
};

enum class HeaderField { Magic, Version, Flags, HdrLen, TypeOff, TypeLen, StrOff, StrLen };

// How build() lays out the blob (btf::write_blob's layouts). Defaults are libbpf's:
// 24-byte header, types, strings.
using Layout = btf::BlobLayout;

// A built blob plus where everything is in it.
class Image {
 public:
  std::vector<uint8_t> bytes;
  Endian endian = Endian::Little;
  uint32_t start_id = 1;
  uint64_t type_start = 0, str_start = 0;  // absolute byte offsets of the sections
  uint32_t type_len = 0, str_len = 0;      // section lengths as built
  std::vector<uint64_t> records;           // absolute offset of each own record, by id order

  uint64_t record(uint32_t id) const { return records.at(id - start_id); }
  uint64_t word(uint32_t id, uint32_t w) const { return record(id) + 4ull * w; }
  // Absolute offset of the byte at own string offset `off` (split: minus the base's length).
  uint64_t string_byte(uint32_t local_off) const { return str_start + local_off; }

  uint32_t u32(uint64_t off) const {
    uint32_t v;
    std::memcpy(&v, bytes.data() + off, 4);
    return swap() ? __builtin_bswap32(v) : v;
  }
  void set_u32(uint64_t off, uint32_t v) {
    if (swap()) v = __builtin_bswap32(v);
    std::memcpy(bytes.data() + off, &v, 4);
  }
  void set_u16(uint64_t off, uint16_t v) {
    if (swap()) v = __builtin_bswap16(v);
    std::memcpy(bytes.data() + off, &v, 2);
  }
  void set_u8(uint64_t off, uint8_t v) { bytes.at(off) = v; }
  uint32_t get_word(uint32_t id, uint32_t w) const { return u32(word(id, w)); }
  void set_word(uint32_t id, uint32_t w, uint32_t v) { set_u32(word(id, w), v); }

  static uint64_t header_offset(HeaderField f) {
    switch (f) {
      case HeaderField::Magic: return 0;
      case HeaderField::Version: return 2;
      case HeaderField::Flags: return 3;
      case HeaderField::HdrLen: return 4;
      case HeaderField::TypeOff: return 8;
      case HeaderField::TypeLen: return 12;
      case HeaderField::StrOff: return 16;
      case HeaderField::StrLen: return 20;
    }
    return 0;
  }
  void set_header(HeaderField f, uint32_t v) {
    const uint64_t off = header_offset(f);
    if (f == HeaderField::Magic) set_u16(off, uint16_t(v));
    else if (f == HeaderField::Version || f == HeaderField::Flags) set_u8(off, uint8_t(v));
    else set_u32(off, v);
  }
  uint32_t header(HeaderField f) const {
    const uint64_t off = header_offset(f);
    if (f == HeaderField::Version || f == HeaderField::Flags) return bytes.at(off);
    if (f == HeaderField::Magic) {
      uint16_t v;
      std::memcpy(&v, bytes.data(), 2);
      return swap() ? __builtin_bswap16(v) : v;
    }
    return u32(off);
  }

  Result<std::shared_ptr<const btf::Btf>> parse(std::shared_ptr<const btf::Btf> base = nullptr,
                                                std::string file = "test.btf") const {
    return btf::Btf::parse(bytes, btf::ParseOptions{std::move(file), "", std::move(base)});
  }

 private:
  bool swap() const { return endian != btf::host_endian(); }
};

// `img` (built with a 32-byte header, types then strings) with a layout section between its
// types and strings, one correct struct btf_layout per kind btf/kinds.h knows, as pahole
// master writes it (--btf_features=layout). Header bytes 24..31 are layout_off/layout_len.
inline Image insert_layout(Image img) {
  std::vector<uint8_t> layout;
  for (uint32_t k = 0; k <= btf::kMaxKnownKind; ++k) {
    const btf::KindLayout& kl = btf::kind_layout(k);
    layout.insert(layout.end(), {uint8_t(4 * kl.fixed_words), uint8_t(4 * kl.vlen_words), 0, 0});
  }
  const uint32_t hdr = img.header(HeaderField::HdrLen);
  const uint32_t at = img.header(HeaderField::TypeOff) + img.header(HeaderField::TypeLen);
  img.bytes.insert(img.bytes.begin() + hdr + at, layout.begin(), layout.end());
  img.str_start += layout.size();
  img.set_header(HeaderField::StrOff, img.header(HeaderField::StrOff) + uint32_t(layout.size()));
  img.set_u32(24, at);
  img.set_u32(28, uint32_t(layout.size()));
  return img;
}
// Byte offset of kind `k`'s entry in insert_layout's section.
inline uint64_t layout_entry(const Image& img, uint32_t k) {
  return img.header(HeaderField::HdrLen) + img.u32(24) + 4ull * k;
}

class BtfBuilder {
 public:
  // Base BTF: type ids from 1, string section "\0"...
  BtfBuilder() = default;
  // Split BTF continuing `base` (ids and string offsets continue the base's).
  static BtfBuilder split(const btf::Btf& base) { return split(base.type_count(), base.str_end()); }
  static BtfBuilder split(uint32_t start_id, uint32_t start_str_off) {
    BtfBuilder b;
    b.start_id_ = start_id;
    b.strings_ = btf::StringTable::continuing("", start_str_off);
    return b;
  }

  uint32_t start_id() const { return start_id_; }
  uint32_t next_id() const { return start_id_ + uint32_t(types_.size()); }

  // Offset of string `s` (added once). "" is offset 0 (for split BTF: the base's "").
  uint32_t str(std::string_view s) { return strings_.add(s); }
  // Raw bytes appended to the string section as they are (no NUL added).
  void append_string_bytes(std::string_view raw) { strings_.append_raw(raw); }

  // --- types; each returns the new id -------------------------------------------------
  uint32_t add_int(std::string_view name, uint32_t size, uint32_t bits, uint32_t encoding = 0,
                   uint32_t bit_offset = 0) {
    return add(Kind::Int, 0, false, str(name), size, {(encoding << 24) | (bit_offset << 16) | bits});
  }
  uint32_t add_ptr(uint32_t type) { return add(Kind::Ptr, 0, false, 0, type, {}); }
  uint32_t add_const(uint32_t type) { return add(Kind::Const, 0, false, 0, type, {}); }
  uint32_t add_volatile(uint32_t type) { return add(Kind::Volatile, 0, false, 0, type, {}); }
  uint32_t add_restrict(uint32_t type) { return add(Kind::Restrict, 0, false, 0, type, {}); }
  uint32_t add_typedef(std::string_view name, uint32_t type) {
    return add(Kind::Typedef, 0, false, str(name), type, {});
  }
  uint32_t add_type_tag(std::string_view value, uint32_t type, bool kflag = false) {
    return add(Kind::TypeTag, 0, kflag, str(value), type, {});
  }
  uint32_t add_array(uint32_t elem, uint32_t index, uint32_t nelems) {
    return add(Kind::Array, 0, false, 0, 0, {elem, index, nelems});
  }
  uint32_t add_struct(std::string_view name, uint32_t size, const std::vector<Member>& members,
                      bool kflag = false) {
    return add_composite(Kind::Struct, name, size, members, kflag);
  }
  uint32_t add_union(std::string_view name, uint32_t size, const std::vector<Member>& members,
                     bool kflag = false) {
    return add_composite(Kind::Union, name, size, members, kflag);
  }
  uint32_t add_enum(std::string_view name, uint32_t size, const std::vector<Enumerator>& values,
                    bool is_signed = false) {
    std::vector<uint32_t> w;
    for (const Enumerator& e : values) {
      w.push_back(str(e.name));
      w.push_back(uint32_t(e.value));
    }
    return add(Kind::Enum, uint32_t(values.size()), is_signed, str(name), size, w);
  }
  uint32_t add_enum64(std::string_view name, uint32_t size, const std::vector<Enumerator>& values,
                      bool is_signed = false) {
    std::vector<uint32_t> w;
    for (const Enumerator& e : values) {
      w.push_back(str(e.name));
      w.push_back(uint32_t(uint64_t(e.value)));
      w.push_back(uint32_t(uint64_t(e.value) >> 32));
    }
    return add(Kind::Enum64, uint32_t(values.size()), is_signed, str(name), size, w);
  }
  uint32_t add_fwd(std::string_view name, bool is_union = false) {
    return add(Kind::Fwd, 0, is_union, str(name), 0, {});
  }
  uint32_t add_func(std::string_view name, uint32_t proto, uint32_t linkage = kFuncGlobal) {
    return add(Kind::Func, linkage, false, str(name), proto, {});
  }
  uint32_t add_func_proto(uint32_t ret, const std::vector<Param>& params) {
    std::vector<uint32_t> w;
    for (const Param& p : params) {
      w.push_back(str(p.name));
      w.push_back(p.type);
    }
    return add(Kind::FuncProto, uint32_t(params.size()), false, 0, ret, w);
  }
  uint32_t add_var(std::string_view name, uint32_t type, uint32_t linkage = kVarGlobal) {
    return add(Kind::Var, 0, false, str(name), type, {linkage});
  }
  uint32_t add_datasec(std::string_view name, uint32_t size, const std::vector<SecVar>& vars) {
    std::vector<uint32_t> w;
    for (const SecVar& v : vars) {
      w.push_back(v.type);
      w.push_back(v.offset);
      w.push_back(v.size);
    }
    return add(Kind::Datasec, uint32_t(vars.size()), false, str(name), size, w);
  }
  uint32_t add_float(std::string_view name, uint32_t size) {
    return add(Kind::Float, 0, false, str(name), size, {});
  }
  uint32_t add_decl_tag(std::string_view value, uint32_t type, int32_t component_idx = -1,
                        bool kflag = false) {
    return add(Kind::DeclTag, 0, kflag, str(value), type, {uint32_t(component_idx)});
  }
  // Any record: kind/vlen/kflag go into the info word; `trailing` follows size/type.
  uint32_t add(Kind kind, uint32_t vlen, bool kflag, uint32_t name_off, uint32_t size_or_type,
               const std::vector<uint32_t>& trailing) {
    std::vector<uint32_t> w{name_off, btf::make_info(uint32_t(kind), vlen, kflag), size_or_type};
    w.insert(w.end(), trailing.begin(), trailing.end());
    return add_words(std::move(w));
  }
  // A fully raw record (host-order words); the caller keeps its length consistent.
  uint32_t add_words(std::vector<uint32_t> words) {
    types_.push_back(std::move(words));
    return next_id() - 1;
  }

  // Edit a record before building (word numbering as in the file comment).
  void set_word(uint32_t id, uint32_t w, uint32_t v) { types_.at(id - start_id_).at(w) = v; }
  uint32_t word(uint32_t id, uint32_t w) const { return types_.at(id - start_id_).at(w); }

  Image build(Endian endian = Endian::Little, const Layout& layout = {}) const {
    Image img;
    img.endian = endian;
    img.start_id = start_id_;
    std::vector<uint32_t> type_words;
    std::vector<uint64_t> rel;
    for (const auto& t : types_) {
      rel.push_back(4ull * type_words.size());
      type_words.insert(type_words.end(), t.begin(), t.end());
    }
    btf::BlobSections at;
    img.bytes = btf::write_blob(type_words, strings_.data(), endian, layout, &at);
    img.type_len = uint32_t(4 * type_words.size());
    img.str_len = uint32_t(strings_.data().size());
    img.type_start = at.type_start;
    img.str_start = at.str_start;
    for (uint64_t r : rel) img.records.push_back(img.type_start + r);
    return img;
  }
  std::vector<uint8_t> bytes(Endian endian = Endian::Little) const { return build(endian).bytes; }

 private:
  uint32_t add_composite(Kind kind, std::string_view name, uint32_t size,
                         const std::vector<Member>& members, bool kflag) {
    std::vector<uint32_t> w;
    for (const Member& m : members) {
      w.push_back(str(m.name));
      w.push_back(m.type);
      w.push_back(kflag ? (m.bitfield_size << 24) | (m.bit_offset & 0xffffff) : m.bit_offset);
    }
    return add(kind, uint32_t(members.size()), kflag, str(name), size, w);
  }

  uint32_t start_id_ = 1;
  std::vector<std::vector<uint32_t>> types_;
  btf::StringTable strings_;
};

// The built bytes of `b` (an archive member).
inline std::vector<uint8_t> bytes_of(const BtfBuilder& b) { return b.build().bytes; }

// Members concatenated as `ld -r` leaves per-object .BTF: each padded to 8 bytes.
inline std::vector<uint8_t> ld_concat(const std::vector<std::vector<uint8_t>>& blobs) {
  std::vector<uint8_t> out;
  for (const auto& b : blobs) {
    out.insert(out.end(), b.begin(), b.end());
    while (out.size() % 8) out.push_back(0);
  }
  return out;
}

}  // namespace btfcheck::testing
