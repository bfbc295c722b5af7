// Staging an input under plain names in a producer's work directory (see stage.h).
#include "encoder/producers/stage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace btfcheck::producers {
namespace {

namespace fs = std::filesystem;

// `name` in `workdir` refers to `target` afterwards (whatever was there before is replaced).
std::optional<Error> link_as(const std::string& target, const std::string& workdir,
                             const std::string& name, bool directory) {
  const std::string at = workdir + "/" + name;
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0)
    return file_error(target, "io.stage", "cannot stage " + target + ": " + std::strerror(errno));
  std::error_code ec;
  fs::remove(at, ec);
  const std::string abs = fs::absolute(target, ec).lexically_normal().string();
  if (!directory && ::linkat(AT_FDCWD, target.c_str(), AT_FDCWD, at.c_str(), AT_SYMLINK_FOLLOW) == 0)
    return std::nullopt;
  if (::symlink(abs.c_str(), at.c_str()) == 0) return std::nullopt;
  return file_error(target, "io.stage",
                    "cannot link " + target + " as " + at + ": " + std::strerror(errno));
}

}  // namespace

PlainNames plain_names(const Input& in) {
  PlainNames n;
  for (size_t i = 0; i < in.sources.size(); ++i) {
    n.sources.push_back("unit" + std::to_string(i) + ".c");
    n.include_dirs.push_back("unit" + std::to_string(i) + ".inc");
  }
  if (!in.elf.empty()) n.elf = "input.elf";
  if (!in.base.empty()) n.base = "base.btf";
  return n;
}

std::optional<Error> stage(const Input& in, const PlainNames& names, const std::string& workdir) {
  for (size_t i = 0; i < in.sources.size(); ++i) {
    if (auto e = link_as(in.sources[i], workdir, names.sources[i], false)) return e;
    std::error_code ec;
    const std::string dir = fs::absolute(in.sources[i], ec).parent_path().string();
    if (auto e = link_as(dir, workdir, names.include_dirs[i], true)) return e;
  }
  if (!in.elf.empty())
    if (auto e = link_as(in.elf, workdir, names.elf, false)) return e;
  if (!in.base.empty())
    if (auto e = link_as(in.base, workdir, names.base, false)) return e;
  return std::nullopt;
}

bool plain_argument(const std::string& arg) {
  if (arg.empty()) return false;
  for (const char c : arg) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (c == '\0' || !std::strchr("._,=+:/@-", c))) return false;
  }
  return true;
}

}  // namespace btfcheck::producers
