// The options every command shares (cli/args.h) and the one rule for split input
// (cli/input.h): aliases and attached short values parse to the same option, -j and
// --format are validated once, and a module under /sys/kernel/btf/ is split on vmlinux.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/input.h"

namespace btfcheck::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    output_spec(), jobs_spec("threads"), json_spec(), base_spec(),
    {"--format", true, "format", "FMT"}, {"--flag", false, "a flag"},
};

TEST(CliArgs, AliasesAreTheSameOption) {
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"-o", "x"}, {"--output", "x"}, {"--output=x"}, {"-ox"}}) {
    Args a(argv, kSpecs);
    ASSERT_EQ(a.error(), "") << argv[0];
    EXPECT_EQ(a.value_or("-o", ""), "x") << argv[0];
    EXPECT_FALSE(a.value("--output")) << "values live under the option's name";
  }
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"-j", "4"}, {"-j4"}, {"--jobs", "4"}, {"--jobs=4"}}) {
    Args a(argv, kSpecs);
    ASSERT_EQ(a.error(), "") << argv[0];
    EXPECT_EQ(a.value_or("-j", ""), "4") << argv[0];
  }
}

TEST(CliArgs, UnknownAndMalformedOptions) {
  EXPECT_EQ(Args({"-x4"}, kSpecs).error(), "unknown option -x4");
  EXPECT_EQ(Args({"--jobs4"}, kSpecs).error(), "unknown option --jobs4");
  EXPECT_EQ(Args({"--flag=1"}, kSpecs).error(), "option --flag takes no value");
  EXPECT_EQ(Args({"-j"}, kSpecs).error(), "option -j needs a value");
  Args pos({"-", "a", "--", "-j4"}, kSpecs);
  EXPECT_EQ(pos.error(), "");
  EXPECT_EQ(pos.positional(), (std::vector<std::string>{"-", "a", "-j4"}));
}

TEST(CliArgs, UsageShowsBothSpellings) {
  const std::string u = usage_text("x", "FILE", "summary", kSpecs);
  EXPECT_NE(u.find("  -o, --output OUT "), std::string::npos) << u;
  EXPECT_NE(u.find("  -j, --jobs N "), std::string::npos) << u;
}

TEST(CliArgs, JobsOption) {
  EXPECT_EQ(jobs_option(Args({}, kSpecs), "t", 7), 7u);
  EXPECT_EQ(jobs_option(Args({"-j0"}, kSpecs), "t"), 0u);
  EXPECT_EQ(jobs_option(Args({"--jobs", "1024"}, kSpecs), "t"), 1024u);
  for (const char* bad : {"-1", "1025", "", "2x", "two"})
    EXPECT_FALSE(jobs_option(Args({"-j", bad}, kSpecs), "t")) << bad;
}

TEST(CliArgs, FormatOption) {
  const std::vector<std::string> known = {"text", "json", "markdown"};
  EXPECT_EQ(format_option(Args({}, kSpecs), "t", known, "text"), "text");
  EXPECT_EQ(format_option(Args({"--json"}, kSpecs), "t", known, "text"), "json");
  EXPECT_EQ(format_option(Args({"--format", "markdown"}, kSpecs), "t", known, "text"), "markdown");
  EXPECT_EQ(format_option(Args({"--json", "--format=json"}, kSpecs), "t", known, "text"), "json");
  EXPECT_FALSE(format_option(Args({"--json", "--format=text"}, kSpecs), "t", known, "text"));
  EXPECT_FALSE(format_option(Args({"--format", "html"}, kSpecs), "t", known, "text"));
}

TEST(CliInput, SysfsModulesAreSplitOnVmlinux) {
  EXPECT_EQ(base_for("/sys/kernel/btf/nf_tables", ""), "/sys/kernel/btf/vmlinux");
  EXPECT_EQ(base_for("/sys/kernel/btf/nf_tables", "my.btf"), "my.btf");   // --base wins
  EXPECT_EQ(base_for("/sys/kernel/btf/vmlinux", ""), "");
  EXPECT_EQ(base_for("/sys/kernel/btf/", ""), "");
  EXPECT_EQ(base_for("module.ko", ""), "");
  EXPECT_EQ(base_for("sys/kernel/btf/x", ""), "");   // relative: not the sysfs directory
}

}  // namespace
}  // namespace btfcheck::cli
