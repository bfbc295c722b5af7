#include "btf/btf.h"

#include <bit>
#include <cstring>
#include <memory>

namespace btfcheck::btf {

std::optional<Endian> detect_endian(std::span<const uint8_t> blob) {
  if (blob.size() < 2) return std::nullopt;
  if (blob[0] == 0x9F && blob[1] == 0xEB) return Endian::Little;
  if (blob[0] == 0xEB && blob[1] == 0x9F) return Endian::Big;
  return std::nullopt;
}

std::string_view Type::name() const { return btf_->str_or_empty(name_off()); }

Type::EnumValue Type::enumerator(uint32_t i) const {
  uint32_t raw = w_[4 + 2 * i];
  int64_t v = kflag() ? int64_t(int32_t(raw)) : int64_t(raw);
  return {w_[3 + 2 * i], v};
}

Error Btf::error(std::string rule, std::string message) const {
  Error e;
  e.rule = std::move(rule);
  e.message = std::move(message);
  e.file = file_;
  e.section = section_.empty() ? "btf" : section_;
  return e;
}

Result<std::shared_ptr<const Btf>> Btf::parse(std::vector<uint8_t> blob, ParseOptions opts) {
  std::shared_ptr<Btf> b(new Btf());
  b->own_bytes_ = std::move(blob);
  b->bytes_ = b->own_bytes_;
  return parse_into(std::move(b), std::move(opts));
}

Result<std::shared_ptr<const Btf>> Btf::parse_borrowed(std::span<const uint8_t> blob,
                                                       std::shared_ptr<const void> keep,
                                                       ParseOptions opts) {
  std::shared_ptr<Btf> b(new Btf());
  b->keep_ = std::move(keep);
  b->bytes_ = blob;
  return parse_into(std::move(b), std::move(opts));
}

Result<std::shared_ptr<const Btf>> Btf::parse_into(std::shared_ptr<Btf> b, ParseOptions opts) {
  b->file_ = std::move(opts.file);
  b->section_ = std::move(opts.section);
  b->base_ = std::move(opts.base);
  b->info_ = opts.info;
  auto fail = [&](const char* rule, std::string msg, uint64_t off) -> Error {
    Error e = b->error(rule, std::move(msg));
    e.offset = off;
    return e;
  };

  // Header: magic(2) version(1) flags(1) hdr_len(4) are needed to find anything else.
  if (b->bytes_.size() < 8)
    return fail("hdr.truncated", "hdr_len not found (blob of " +
                std::to_string(b->bytes_.size()) + " bytes)", 0);
  auto endian = detect_endian(b->bytes_);
  if (!endian) return fail("hdr.magic", "Invalid magic", 0);
  b->endian_ = *endian;
  ByteReader r = b->reader();
  Header& h = b->hdr_;
  h.magic = kMagic;
  h.version = *r.u8(2);
  h.flags = *r.u8(3);
  h.hdr_len = *r.u32(4);
  if (h.hdr_len > b->bytes_.size())
    return fail("hdr.len", "btf_header not found: hdr_len " + std::to_string(h.hdr_len) +
                " exceeds blob size " + std::to_string(b->bytes_.size()), 4);
  // Fields a short header does not hold read as zero, as in the kernel.
  auto field = [&](uint32_t at) { return at + 4 <= h.hdr_len ? *r.u32(at) : 0u; };
  h.type_off = field(8);
  h.type_len = field(12);
  h.str_off = field(16);
  h.str_len = field(20);
  if (h.hdr_len >= kLayoutHeaderSize) {
    h.layout_off = field(24);
    h.layout_len = field(28);
  }
  const uint64_t data = b->bytes_.size() - h.hdr_len;
  if (uint64_t(h.type_off) + h.type_len > data)
    return fail("sec.past-end", "type section [" + std::to_string(h.type_off) + ", +" +
                std::to_string(h.type_len) + ") runs past the end of the data", 8);
  if (uint64_t(h.str_off) + h.str_len > data)
    return fail("sec.past-end", "string section [" + std::to_string(h.str_off) + ", +" +
                std::to_string(h.str_len) + ") runs past the end of the data", 16);
  if (h.has_layout()) {
    if (uint64_t(h.layout_off) + h.layout_len > data)
      return fail("sec.past-end", "layout section [" + std::to_string(h.layout_off) + ", +" +
                  std::to_string(h.layout_len) + ") runs past the end of the data", 24);
    const uint64_t at = uint64_t(h.hdr_len) + h.layout_off;
    b->layout_.resize(h.layout_len / 4);
    for (size_t i = 0; i < b->layout_.size(); ++i)
      b->layout_[i] = {*r.u8(at + 4 * i), *r.u8(at + 4 * i + 1), *r.u16(at + 4 * i + 2)};
  }

  if (b->base_) {
    b->start_id_ = b->base_->type_count();
    b->start_str_ = b->base_->str_end();
  }

  // Type section: record boundaries. Decode every word to host order once.
  const uint64_t tstart = uint64_t(h.hdr_len) + h.type_off;
  const uint64_t nwords = h.type_len / 4;
  const uint8_t* tdata = b->bytes_.data() + tstart;
  const bool host_order = (b->endian_ == Endian::Little) == (std::endian::native == std::endian::little);
  if (host_order) {
    b->words_ = HostWords{tdata};
  } else {
    b->own_words_ = std::make_unique_for_overwrite<uint32_t[]>(nwords);
    for (uint64_t i = 0; i < nwords; ++i) b->own_words_[i] = *r.u32(tstart + 4 * i);
    b->words_ = HostWords{reinterpret_cast<const uint8_t*>(b->own_words_.get())};
  }
  b->starts_.reserve(nwords / 8);   // records are 3 words or more; kernel BTF averages ~9
  uint64_t w = 0;
  while (w < nwords || (w * 4 < h.type_len)) {
    const uint64_t off = tstart + 4 * w;
    const uint32_t id = b->start_id_ + uint32_t(b->starts_.size());
    if (nwords - w < 3) {
      Error e = fail("type.truncated", "type record truncated: " +
                     std::to_string(h.type_len - 4 * w) + " bytes left, 12 needed", off);
      e.type_id = id;
      return e;
    }
    const uint32_t info = b->words_[w + 1];
    const uint32_t kind = info_kind(info, b->info_);
    if (!kind_layout(kind).known) {
      Error e = fail("type.kind-unknown", "Invalid kind:" + std::to_string(kind), off + 4);
      e.type_id = id;
      return e;
    }
    const uint64_t len = record_words(kind, info_vlen(info, b->info_));
    if (len > nwords - w) {
      Error e = fail("type.truncated", std::string(kind_name(kind)) + " record with vlen " +
                     std::to_string(info_vlen(info, b->info_)) + " needs " + std::to_string(4 * len) +
                     " bytes, " + std::to_string(h.type_len - 4 * w) + " left", off);
      e.type_id = id;
      return e;
    }
    if (id == 0xffffffffu) {
      Error e = fail("type.too-many", "type id space exhausted", off);
      return e;
    }
    b->starts_.push_back(uint32_t(w));
    w += len;
  }

  // Target: the container's or the user's; else the BTF's own long, its base's, or assumed.
  if (opts.target) {
    b->target_ = std::move(*opts.target);
  } else if (b->base_ && b->base_->target().known()) {
    b->target_ = b->base_->target();
  } else if (const uint32_t l = long_size(*b)) {
    b->target_.ptr_size = l;
    b->target_.from = TargetFrom::Btf;
    b->target_.endian = b->endian_;
  } else if (b->base_) {
    b->target_ = b->base_->target();
  } else {
    b->target_.endian = b->endian_;
  }
  return std::shared_ptr<const Btf>(std::move(b));
}

std::optional<std::string_view> Btf::str(uint32_t off) const {
  if (off < start_str_) return base_ ? base_->str(off) : std::nullopt;
  return ByteReader(strings(), endian_).cstr(off - start_str_);
}

}  // namespace btfcheck::btf
