// Real inputs for tests: the running kernel's BTF and Debian's cloud vmlinux, each with
// the reason it is missing when it is (tests skip with that reason).
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>

#include "btf/load.h"

namespace btfcheck::testing {

inline std::string cloud_vmlinux_path() {
  if (const char* e = std::getenv("BTFCHECK_VMLINUX")) return e;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") +
         "/.cache/btfcheck/usr/lib/debug/boot/vmlinux-6.1.0-56-cloud-amd64";
}

inline std::string sysfs_vmlinux_path() { return "/sys/kernel/btf/vmlinux"; }

// Opens `path`, or returns null and sets `why` to the reason.
inline std::shared_ptr<const btf::Btf> open_real(const std::string& path, std::string& why) {
  if (::access(path.c_str(), R_OK) != 0) {
    why = path + " is not present (fetch it with corpora/fetch-cloud-vmlinux or set BTFCHECK_VMLINUX)";
    return nullptr;
  }
  auto b = btf::open_btf(path);
  if (!b) {
    why = b.error().str();
    return nullptr;
  }
  return *b;
}

}  // namespace btfcheck::testing
