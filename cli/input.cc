#include "cli/input.h"

#include "btf/load.h"

namespace btfcheck::cli {

namespace {
constexpr const char kSysfs[] = "/sys/kernel/btf/";
}

std::string base_for(const std::string& file, const std::string& base_opt) {
  if (!base_opt.empty()) return base_opt;
  if (file.rfind(kSysfs, 0) == 0 && file != std::string(kSysfs) + "vmlinux")
    return std::string(kSysfs) + "vmlinux";
  return "";
}

Result<std::shared_ptr<const btf::Btf>> open_input(const std::string& file,
                                                   const std::string& base_opt) {
  std::shared_ptr<const btf::Btf> base;
  if (std::string bp = base_for(file, base_opt); !bp.empty()) {
    auto b = btf::open_btf(bp);
    if (!b) return b.error();
    base = *b;
  }
  return btf::open_btf(file, base);
}

}  // namespace btfcheck::cli
