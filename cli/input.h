// Opening the BTF a subcommand works on: the file (raw, ELF .BTF, /sys/kernel/btf/*) and
// its base for split BTF. A kernel module under /sys/kernel/btf/ gets
// /sys/kernel/btf/vmlinux as its base unless one is given, as bpftool does.
#pragma once

#include <memory>
#include <string>

#include "btf/btf.h"
#include "btf/error.h"

namespace btfcheck::cli {

// The base path to use for `file` given the user's --base value ("" = none).
std::string base_for(const std::string& file, const std::string& base_opt);

// Opens base (if any) then file. Errors name the path.
Result<std::shared_ptr<const btf::Btf>> open_input(const std::string& file,
                                                   const std::string& base_opt);

}  // namespace btfcheck::cli
