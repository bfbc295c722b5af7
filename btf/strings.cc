#include "btf/strings.h"

#include <cstring>
#include <functional>

namespace btfcheck::btf {

StringTable StringTable::continuing(std::string section, uint32_t start) {
  StringTable t(start);
  t.data_ = std::move(section);
  for (size_t off = 0; off < t.data_.size();) {
    const void* nul = std::memchr(t.data_.data() + off, 0, t.data_.size() - off);
    if (!nul) break;   // an unterminated tail is no string
    const size_t end = size_t(static_cast<const char*>(nul) - t.data_.data());
    const std::string_view s(t.data_.data() + off, end - off);
    if (const uint64_t h = hash_of(s); !s.empty() && !t.find(h, s)) t.index(uint32_t(off), h);
    off = end + 1;
  }
  return t;
}

uint64_t StringTable::hash_of(std::string_view s) {
  return std::hash<std::string_view>{}(s);
}

uint32_t StringTable::find(uint64_t h, std::string_view s) const {
  if (slots_.empty()) return 0;
  for (size_t i = h & (slots_.size() - 1); slots_[i].at; i = (i + 1) & (slots_.size() - 1)) {
    const size_t at = slots_[i].at - 1;
    if (slots_[i].hash == h && at + s.size() < data_.size() && data_[at + s.size()] == '\0' &&
        std::memcmp(data_.data() + at, s.data(), s.size()) == 0)
      return slots_[i].at;
  }
  return 0;
}

void StringTable::index(uint32_t at, uint64_t h) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  size_t i = h & (slots_.size() - 1);
  while (slots_[i].at) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = {h, at + 1};
  ++used_;
}

void StringTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, 0});
  for (const Slot& e : old) {
    if (!e.at) continue;
    size_t i = e.hash & (slots_.size() - 1);
    while (slots_[i].at) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = e;
  }
}

uint32_t StringTable::add(std::string_view s) {
  if (s.empty()) return 0;
  const uint64_t h = hash_of(s);
  if (const uint32_t found = find(h, s)) return start_ + found - 1;
  const uint32_t at = uint32_t(data_.size());
  data_.append(s);
  data_.push_back('\0');
  index(at, h);
  return start_ + at;
}

}  // namespace btfcheck::btf
