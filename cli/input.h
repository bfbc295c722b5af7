// Opening the BTF a subcommand works on; every command that reads BTF input goes through
// here, so they all agree on one rule for split BTF: FILE's base is --base when given,
// /sys/kernel/btf/vmlinux for any other file under /sys/kernel/btf/ (a module, as bpftool
// takes it), and none otherwise. FILE itself is raw BTF, an ELF's .BTF or a sysfs file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::cli {

// The base path to use for `file` given the user's --base value ("" = none).
std::string base_for(const std::string& file, const std::string& base_opt);

// The base BTF for `file` (nullptr when it is not split). Errors name the base's path.
Result<std::shared_ptr<const btf::Btf>> open_base(const std::string& file,
                                                  const std::string& base_opt);

// Opens the base (if any), then file. An archive of several blobs is an Error with rule
// "archive.multiple"; open_input_archive() opens each of its blobs.
Result<std::shared_ptr<const btf::Btf>> open_input(const std::string& file,
                                                   const std::string& base_opt);
Result<std::vector<std::shared_ptr<const btf::Btf>>> open_input_archive(
    const std::string& file, const std::string& base_opt);

}  // namespace btfcheck::cli
