// Opening the BTF a subcommand works on; every command that reads BTF input goes through
// here, so they all agree on one rule for split BTF: FILE's base is --base when given,
// /sys/kernel/btf/vmlinux for any other file under /sys/kernel/btf/ (a module, as bpftool
// takes it), and none otherwise. FILE itself is raw BTF, an ELF's .BTF or a sysfs file.
// Its target (btf/target.h) is its ELF header's, else --target's, else its own long's; a
// BTF that contradicts its ELF header or --target opens with a warning on stderr naming the
// rule (verify reports it as a violation instead).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"
#include "cli/args.h"

namespace btfcheck::cli {

// The base path to use for `file` given the user's --base value ("" = none).
std::string base_for(const std::string& file, const std::string& base_opt);

// The base BTF for `file` (nullptr when it is not split). Errors name the base's path.
Result<std::shared_ptr<const btf::Btf>> open_base(const std::string& file,
                                                  const std::string& base_opt);

// Opens the base (if any), then file. An archive of several blobs is an Error with rule
// "archive.multiple"; open_input_archive() opens each of its blobs. `target`: --target.
Result<std::shared_ptr<const btf::Btf>> open_input(
    const std::string& file, const std::string& base_opt,
    const std::optional<btf::Target>& target = std::nullopt);
Result<std::vector<std::shared_ptr<const btf::Btf>>> open_input_archive(
    const std::string& file, const std::string& base_opt,
    const std::optional<btf::Target>& target = std::nullopt);

// --target SPEC, for commands that read raw BTF.
OptionSpec target_spec(const std::string& help =
                           "raw BTF's pointer size and byte order: 32le, 64be, ... or an "
                           "architecture (i386, x86_64, arm64, ...); an ELF's header decides "
                           "for it");
// The parsed --target into `out` (nullopt when absent); false after printing
// "btfcheck CMD: why" (exit 2).
bool target_option(const Args& args, const std::string& cmd, std::optional<btf::Target>& out);

// Two inputs compared as one machine (diff, matrix): "" when their targets agree, else the
// error text naming both; `allow` (--allow-target-mismatch) turns it into "".
std::string target_mismatch(const btf::Btf& a, const std::string& a_name, const btf::Btf& b,
                            const std::string& b_name, bool allow);

}  // namespace btfcheck::cli
