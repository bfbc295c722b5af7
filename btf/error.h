// Error: what every stage returns when it cannot go on. It names the input the way the
// project's contract asks: path, section, byte offset, type id, member index and rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace btfcheck {

struct Error {
  std::string rule;      // stable rule id, e.g. "hdr.magic", "io.open"
  std::string message;   // human text, close to the kernel's / libbpf's wording
  std::string file;      // input path ("" when the bytes came from memory)
  std::string section;   // ".BTF", "header", "types", "strings", ...
  std::optional<uint64_t> offset;   // byte offset within the blob
  std::optional<uint32_t> type_id;
  std::optional<uint32_t> member;   // member / param / enumerator index

  // "FILE: .BTF+0x1c: type [12] member 3: message [rule]"
  std::string str() const;
};

// The common Error: a rule, the input it names, and the message.
Error file_error(std::string file, std::string rule, std::string message);

// Result<T>: a value or an Error. Small on purpose (std::expected is C++23).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace btfcheck
