// Skipping a test because a resource is absent, the one way unit tests do it:
//
//   if (!b) BTFCHECK_SKIP("cloud") << why;
//
// skips with "[cloud] why", or fails the test (fatally) when $BTFCHECK_REQUIRE lists the
// resource, so a fetch or an install that silently failed cannot pass as a skip. Resource
// names are those of tests/resources.txt (shared with the e2e suite's require_or_skip); an
// unknown name, at the site or in BTFCHECK_REQUIRE, is a failure. "A|B": the test needs
// several (or one of several) resources and one is absent; it fails when any is required.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

namespace btfcheck::testing {

inline std::set<std::string> split_names(const std::string& list, char sep) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(sep, start);
    if (end == std::string::npos) end = list.size();
    std::string name = list.substr(start, end - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty()) out.insert(name);
    start = end + 1;
  }
  return out;
}

// The names tests/resources.txt lists (empty when it cannot be read).
inline std::set<std::string> known_resources() {
  std::ifstream in(std::string(BTFCHECK_SOURCE_DIR) + "/tests/resources.txt");
  std::set<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') out.insert(line.substr(0, line.find_first_of(" \t")));
  return out;
}

struct SkipVerdict {
  ::testing::TestPartResult::Type type;
  std::string note;   // what the reason is prefixed with
};

// Skip, or a fatal failure saying why not.
inline SkipVerdict skip_verdict(const std::string& resource) {
  using R = ::testing::TestPartResult;
  const std::set<std::string> known = known_resources();
  if (known.empty())
    return {R::kFatalFailure, "cannot read " BTFCHECK_SOURCE_DIR "/tests/resources.txt; skip reason: "};
  const char* env = std::getenv("BTFCHECK_REQUIRE");
  const std::set<std::string> names = split_names(resource, '|'), required = split_names(env ? env : "", ',');
  for (const std::string& n : names)
    if (!known.count(n)) return {R::kFatalFailure, "unknown test resource '" + n + "' (tests/resources.txt): "};
  for (const std::string& n : required)
    if (!known.count(n)) return {R::kFatalFailure, "BTFCHECK_REQUIRE names unknown resource '" + n + "': "};
  std::string hit;
  for (const std::string& n : names)
    if (required.count(n)) hit += (hit.empty() ? "" : "|") + n;
  if (!hit.empty()) return {R::kFatalFailure, "BTFCHECK_REQUIRE lists " + hit + ", but: "};
  return {R::kSkip, "[" + resource + "] "};
}

// Reports the verdict at FILE:LINE with the streamed reason (what BTFCHECK_SKIP returns).
class SkipReport {
 public:
  SkipReport(const std::string& resource, const char* file, int line)
      : verdict_(skip_verdict(resource)), file_(file), line_(line) {}
  void operator=(const ::testing::Message& why) const {
    ::testing::internal::AssertHelper(verdict_.type, file_, line_, "") =
        ::testing::Message() << verdict_.note << why.GetString();
  }

 private:
  SkipVerdict verdict_;
  const char* file_;
  int line_;
};

}  // namespace btfcheck::testing

// A statement like GTEST_SKIP(): returns from the function; stream the reason into it.
#define BTFCHECK_SKIP(resource) \
  return ::btfcheck::testing::SkipReport(resource, __FILE__, __LINE__) = ::testing::Message()
