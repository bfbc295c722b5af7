#include "cli/input.h"

#include <cstdio>

#include "btf/load.h"
#include "btf/target.h"

namespace btfcheck::cli {

namespace {
constexpr const char kSysfs[] = "/sys/kernel/btf/";

void warn_target_conflicts(const btf::Btf& b) {
  for (const Error& e : btf::target_conflicts(b))
    std::fprintf(stderr, "btfcheck: warning: %s\n", e.str().c_str());
}
}  // namespace

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
                                                   const std::string& base_opt,
                                                   const std::optional<btf::Target>& target) {
  auto base = open_base(file, base_opt);
  if (!base) return base.error();
  auto b = btf::open_btf(file, *base, target);
  if (b) warn_target_conflicts(**b);
  return b;
}

Result<std::vector<std::shared_ptr<const btf::Btf>>> open_input_archive(
    const std::string& file, const std::string& base_opt,
    const std::optional<btf::Target>& target) {
  auto base = open_base(file, base_opt);
  if (!base) return base.error();
  auto members = btf::open_archive(file, *base, target);
  if (members && !members->empty()) warn_target_conflicts(*members->front());
  return members;
}

OptionSpec target_spec(const std::string& help) { return {"--target", true, help, "SPEC"}; }

bool target_option(const Args& args, const std::string& cmd, std::optional<btf::Target>& out) {
  out.reset();
  const auto spec = args.value("--target");
  if (!spec) return true;
  out = btf::parse_target(*spec);
  if (out) return true;
  std::fprintf(stderr, "btfcheck %s: --target %s: unknown target (known: %s)\n", cmd.c_str(),
               spec->c_str(), btf::target_spellings().c_str());
  return false;
}

std::string target_mismatch(const btf::Btf& a, const std::string& a_name, const btf::Btf& b,
                            const std::string& b_name, bool allow) {
  const std::string why = btf::target_difference(a.target(), b.target());
  if (why.empty() || allow) return "";
  return a_name + " and " + b_name + " are for different targets (" + why + "): " + a_name +
         " is " + btf::describe(a.target()) + ", " + b_name + " is " + btf::describe(b.target()) +
         "; --allow-target-mismatch compares them anyway [target.differ]";
}

}  // namespace btfcheck::cli
