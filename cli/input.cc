#include "cli/input.h"

#include "btf/load.h"

namespace btfcheck::cli {

namespace {
constexpr const char kSysfs[] = "/sys/kernel/btf/";
}

std::string base_for(const std::string& file, const std::string& base_opt) {
  if (!base_opt.empty()) return base_opt;
  if (file.rfind(kSysfs, 0) == 0 && file.size() > sizeof kSysfs - 1 &&
      file != std::string(kSysfs) + "vmlinux")
    return std::string(kSysfs) + "vmlinux";
  return "";
}

Result<std::shared_ptr<const btf::Btf>> open_base(const std::string& file,
                                                  const std::string& base_opt) {
  const std::string path = base_for(file, base_opt);
  if (path.empty()) return std::shared_ptr<const btf::Btf>();
  return btf::open_btf(path);
}

Result<std::shared_ptr<const btf::Btf>> open_input(const std::string& file,
                                                   const std::string& base_opt) {
  auto base = open_base(file, base_opt);
  if (!base) return base.error();
  return btf::open_btf(file, *base);
}

Result<std::vector<std::shared_ptr<const btf::Btf>>> open_input_archive(
    const std::string& file, const std::string& base_opt) {
  auto base = open_base(file, base_opt);
  if (!base) return base.error();
  return btf::open_archive(file, *base);
}

}  // namespace btfcheck::cli
