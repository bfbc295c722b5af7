// BTFCHECK_SKIP (tests/unit/require.h): a skip names its resource; BTFCHECK_REQUIRE turns it
// into a fatal failure; an unknown name, at the site or in BTFCHECK_REQUIRE, is a failure.
// Each case sets BTFCHECK_REQUIRE itself (and restores it) and intercepts the reported
// result, so the outcome does not depend on what the caller's environment requires.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "tests/unit/require.h"

namespace {

using Type = ::testing::TestPartResult::Type;

// Sets BTFCHECK_REQUIRE for one case (unset for nullopt) and restores the caller's value.
class RequireEnv {
 public:
  explicit RequireEnv(std::optional<std::string> value) {
    if (const char* old = std::getenv("BTFCHECK_REQUIRE")) old_ = old;
    if (value)
      ::setenv("BTFCHECK_REQUIRE", value->c_str(), 1);
    else
      ::unsetenv("BTFCHECK_REQUIRE");
  }
  ~RequireEnv() {
    if (old_)
      ::setenv("BTFCHECK_REQUIRE", old_->c_str(), 1);
    else
      ::unsetenv("BTFCHECK_REQUIRE");
  }

 private:
  std::optional<std::string> old_;
};

void skip_site(const std::string& resource) { BTFCHECK_SKIP(resource) << "not here"; }

// The one result a skip site reports, intercepted (it does not end this test).
::testing::TestPartResult report(const std::string& resource) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    skip_site(resource);
  }
  EXPECT_EQ(results.size(), 1);
  return results.GetTestPartResult(0);
}

TEST(Require, SkipNamesItsResource) {
  RequireEnv env(std::nullopt);
  const auto r = report("cloud|sysfs");
  EXPECT_EQ(r.type(), Type::kSkip);
  EXPECT_STREQ(r.message(), "[cloud|sysfs] not here");
}

TEST(Require, RequiredResourceTurnsTheSkipIntoAFailure) {
  RequireEnv env("gcc, sysfs");
  const auto r = report("cloud|sysfs");
  EXPECT_EQ(r.type(), Type::kFatalFailure);
  EXPECT_STREQ(r.message(), "BTFCHECK_REQUIRE lists sysfs, but: not here");
  EXPECT_EQ(report("cloud").type(), Type::kSkip);   // not listed: still a skip
}

TEST(Require, UnknownNamesAreFailures) {
  RequireEnv env("cloud");
  auto r = report("clod");
  EXPECT_EQ(r.type(), Type::kFatalFailure);
  EXPECT_STREQ(r.message(), "unknown test resource 'clod' (tests/resources.txt): not here");
  RequireEnv typo("cloud,tinny");
  r = report("cloud");
  EXPECT_EQ(r.type(), Type::kFatalFailure);
  EXPECT_STREQ(r.message(), "BTFCHECK_REQUIRE names unknown resource 'tinny': not here");
}

TEST(Require, ResourcesFileIsRead) {
  const auto known = btfcheck::testing::known_resources();
  for (const char* name : {"cloud", "tiny", "sysfs", "kernel-load", "gcc", "shm"})
    EXPECT_TRUE(known.count(name)) << name;
  EXPECT_FALSE(known.count("#")) << "comment lines are not resources";
}

}  // namespace
