// Small text helpers for tests that inspect canon/diff output.
#pragma once

#include <cstddef>
#include <string>

namespace btfcheck::testing {

// Lines of `text` that start with `prefix`.
inline size_t count_lines(const std::string& text, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    n += text.compare(pos, prefix.size(), prefix) == 0;
    pos = end == std::string::npos ? text.size() : end + 1;
  }
  return n;
}

}  // namespace btfcheck::testing
