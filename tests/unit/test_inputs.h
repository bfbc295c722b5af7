// Real inputs for tests: the running kernel's BTF and Debian's cloud vmlinux, each with
// the reason it is missing when it is (tests skip with that reason).
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <glob.h>
#include <unistd.h>

#include "btf/load.h"

namespace btfcheck::testing {

// $BTFCHECK_VMLINUX, else what corpora/fetch-cloud-vmlinux caches.
inline std::string cloud_vmlinux_path() {
  if (const char* e = std::getenv("BTFCHECK_VMLINUX"); e && *e) return e;
  const char* cache = std::getenv("BTFCHECK_CACHE");
  const char* home = std::getenv("HOME");
  const std::string dir = cache ? std::string(cache) : std::string(home ? home : "/root") + "/.cache/btfcheck";
  const std::string pattern = dir + "/usr/lib/debug/boot/vmlinux-*-cloud-amd64";
  std::string found = pattern;
  glob_t g{};
  if (::glob(pattern.c_str(), 0, nullptr, &g) == 0 && g.gl_pathc > 0) found = g.gl_pathv[g.gl_pathc - 1];   // newest release
  ::globfree(&g);
  return found;
}

// $BTFCHECK_MODULES_DIR, else the cached module tree of cloud_vmlinux_path()'s release
// (.../usr/lib/debug/boot/vmlinux-REL -> .../usr/lib/debug/lib/modules/REL).
inline std::string cloud_modules_dir() {
  if (const char* e = std::getenv("BTFCHECK_MODULES_DIR"); e && *e) return e;
  const std::string v = cloud_vmlinux_path();
  const size_t slash = v.rfind('/');
  const std::string file = v.substr(slash + 1), prefix = "vmlinux-";
  if (slash == std::string::npos || file.rfind(prefix, 0) != 0) return "";
  const std::string boot = v.substr(0, slash);
  return boot.substr(0, boot.rfind('/')) + "/lib/modules/" + file.substr(prefix.size());
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
