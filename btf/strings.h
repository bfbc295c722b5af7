// StringTable: the one string interner of everything that writes BTF (the DWARF encoder's
// batches, the archive merge, sanitize, fixups, the synthetic benchmark input, the tests'
// builders). A string section being built: each distinct string once, at the offset of its
// first addition, "" always at offset 0. Offsets continue a base's string section for split
// BTF. Deterministic: the section depends only on the order of the additions.
//
// The index is an open-addressing table of (hash, offset) into the section itself, so it
// owns nothing twice and callers' strings need not outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace btfcheck::btf {

class StringTable {
 public:
  // A new section "\0"; offsets start at `start` (split BTF: the base's string length).
  explicit StringTable(uint32_t start = 0) : start_(start), data_(1, '\0') {}
  // Continues `section` as it is: strings already in it, at string boundaries from its
  // offset 0, are reused (the first of equal ones), as libbpf's strset does.
  static StringTable continuing(std::string section, uint32_t start = 0);

  // The offset of `s`, added at the end when new; "" is 0.
  uint32_t add(std::string_view s);
  // Bytes appended as they are, not indexed (tests build hostile sections with it).
  void append_raw(std::string_view bytes) { data_.append(bytes); }

  const std::string& data() const { return data_; }
  uint32_t start() const { return start_; }
  uint32_t end() const { return start_ + uint32_t(data_.size()); }   // the next offset

 private:
  struct Slot {
    uint64_t hash;
    uint32_t at;   // position in data_ + 1; 0: empty slot
  };
  static uint64_t hash_of(std::string_view s);
  uint32_t find(uint64_t h, std::string_view s) const;   // Slot::at of `s`, 0 when absent
  void index(uint32_t at, uint64_t h);   // at: position in data_
  void grow();

  uint32_t start_;
  std::string data_;
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace btfcheck::btf
