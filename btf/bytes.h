// ByteReader: the only code in btfcheck that turns an offset into a pointer. Every read is
// bounds-checked and returns nullopt past the end; multi-byte reads honour the blob's byte
// order, so callers never see a swapped value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <bit>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

namespace btfcheck::btf {

enum class Endian : uint8_t { Little, Big };

constexpr Endian host_endian() {
  return std::endian::native == std::endian::little ? Endian::Little : Endian::Big;
}

class ByteReader {
 public:
  ByteReader() = default;
  ByteReader(std::span<const uint8_t> data, Endian endian) : data_(data), endian_(endian) {}

  size_t size() const { return data_.size(); }
  Endian endian() const { return endian_; }
  bool has(uint64_t off, uint64_t len) const {
    return off <= data_.size() && len <= data_.size() - off;
  }

  std::optional<uint8_t> u8(uint64_t off) const {
    if (!has(off, 1)) return std::nullopt;
    return data_[off];
  }
  std::optional<uint16_t> u16(uint64_t off) const {
    if (!has(off, 2)) return std::nullopt;
    uint16_t v;
    std::memcpy(&v, data_.data() + off, 2);
    return endian_ == host_endian() ? v : static_cast<uint16_t>(__builtin_bswap16(v));
  }
  std::optional<uint32_t> u32(uint64_t off) const {
    if (!has(off, 4)) return std::nullopt;
    uint32_t v;
    std::memcpy(&v, data_.data() + off, 4);
    return endian_ == host_endian() ? v : __builtin_bswap32(v);
  }
  // A checked sub-span; empty optional when [off, off+len) is not inside the data.
  std::optional<std::span<const uint8_t>> span(uint64_t off, uint64_t len) const {
    if (!has(off, len)) return std::nullopt;
    return data_.subspan(off, len);
  }
  // The NUL-terminated string starting at off, without its NUL; nullopt when off is out of
  // range or no NUL follows before the end.
  std::optional<std::string_view> cstr(uint64_t off) const {
    if (off >= data_.size()) return std::nullopt;
    const void* nul = std::memchr(data_.data() + off, 0, data_.size() - off);
    if (!nul) return std::nullopt;
    const char* p = reinterpret_cast<const char*>(data_.data() + off);
    return std::string_view(p, static_cast<const char*>(nul) - p);
  }

 private:
  std::span<const uint8_t> data_;
  Endian endian_ = Endian::Little;
};

}  // namespace btfcheck::btf
