// A tiny argument parser shared by every subcommand: long options with values
// ("--base B", "--base=B"), short ones ("-j 4", "-j4", "-o OUT"), aliases ("--output" for
// "-o"), flags, positional arguments, and a usage error that the caller maps to exit code 2.
// The options several commands share are spelled once, below (-o, -j, --json, --base).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace btfcheck::cli {

constexpr int kExitOk = 0;        // clean / equal / pass
constexpr int kExitFindings = 1;  // violations / differences / gate failed
constexpr int kExitError = 2;     // could not run

struct OptionSpec {
  std::string name;       // "--base"
  bool takes_value;
  std::string help;       // one line for --help
  std::string value_name = "VALUE";
  std::string alias = ""; // another spelling ("--output" for "-o"); values are under `name`
};

// The shared spellings: -o/--output FILE, -j/--jobs N, --json, --base B.
OptionSpec output_spec(const std::string& help = "write to OUT (atomically) instead of stdout");
OptionSpec jobs_spec(const std::string& help);
OptionSpec json_spec(const std::string& help = "print JSON instead of text");
OptionSpec base_spec(const std::string& help =
                         "base BTF for split BTF (default for /sys/kernel/btf/MODULE: "
                         "/sys/kernel/btf/vmlinux)");

class Args {
 public:
  // Parses argv (after the subcommand name). On error, error() is non-empty.
  Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

  bool has(const std::string& name) const { return flags_.count(name) || values_.count(name); }
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& dflt) const {
    return value(name).value_or(dflt);
  }
  const std::vector<std::string>& positional() const { return positional_; }
  const std::string& error() const { return error_; }
  bool help() const { return help_; }

 private:
  std::set<std::string> flags_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  std::string error_;
  bool help_ = false;
};

// "usage: btfcheck CMD SYNOPSIS\n\nSUMMARY\n\noptions:\n  --x VALUE  help\n"
std::string usage_text(const std::string& cmd, const std::string& synopsis,
                       const std::string& summary, const std::vector<OptionSpec>& specs);

// --help prints the usage text (exit 0); a parse error prints "btfcheck CMD: error" (exit
// 2). Returns the exit code in those cases, nullopt when the command should run.
std::optional<int> help_or_error(const Args& args, const std::string& cmd,
                                 const std::string& synopsis, const std::string& summary,
                                 const std::vector<OptionSpec>& specs,
                                 const std::string& epilogue = "");

// -j N: a thread count from 0 to 1024, 0 meaning the command's default (every hardware
// thread). `dflt` when -j is absent; nullopt (after printing "btfcheck CMD: ...") when the
// value is not such a number.
std::optional<unsigned> jobs_option(const Args& args, const std::string& cmd, unsigned dflt = 0);

// --format FMT (one of `known`), with --json as the short spelling of --format json: the
// format (`dflt` when neither is given), or nullopt after printing "btfcheck CMD: why".
std::optional<std::string> format_option(const Args& args, const std::string& cmd,
                                         const std::vector<std::string>& known,
                                         const std::string& dflt);

// Writes `content` to -o (atomically) or, without -o, stdout. kExitOk, or kExitError after
// printing "btfcheck CMD: why".
int emit_output(const Args& args, const std::string& cmd, const std::string& content);

// Writes `content` to `path` atomically (temporary file in the same directory, then rename),
// so a failure never leaves a partial output. "-" writes to stdout. Returns "" or an error.
std::string write_output(const std::string& path, const std::string& content);

}  // namespace btfcheck::cli
