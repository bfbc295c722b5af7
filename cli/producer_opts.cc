#include "cli/producer_opts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace btfcheck::cli {

const std::vector<OptionSpec>& producer_specs() {
  static const std::vector<OptionSpec> specs = {
      {"--pahole", true, "pahole binary for the pahole and archive producers (default: pahole on PATH)", "PATH"},
      {"--pahole-flags", true, "pahole flags, space-separated (default: \"--btf_gen_floats --lang_exclude=rust\", Linux 6.1's)", "FLAGS"},
      {"--corpus", true, "corpus directory with manifest.json (default: $BTFCHECK_CORPORA, else the installed "
       "corpus, PREFIX/share/btfcheck/corpora, else the source tree's corpora/)", "DIR"},
  };
  return specs;
}

std::vector<std::string> split_list(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string self_exe() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  return n > 0 ? std::string(self, size_t(n)) : "";
}

std::string default_corpora_dir() {
  if (const char* e = std::getenv("BTFCHECK_CORPORA"); e && *e) return e;
  auto has_manifest = [](const std::string& dir) {
    struct stat st;
    return ::stat((dir + "/manifest.json").c_str(), &st) == 0;
  };
  std::string installed;
  if (const std::string exe = self_exe(); !exe.empty())
    installed = (std::filesystem::path(exe).parent_path() / BTFCHECK_CORPORA_FROM_BIN).lexically_normal();
  if (!installed.empty() && has_manifest(installed)) return installed;
  if (has_manifest(BTFCHECK_SOURCE_CORPORA)) return BTFCHECK_SOURCE_CORPORA;
  // Neither: name the installed place, where a packaged binary's corpus belongs.
  return installed.empty() ? BTFCHECK_SOURCE_CORPORA : installed;
}

producers::Config producer_config(const Args& args) {
  producers::Config c;
  c.self = self_exe();
  if (c.self.empty()) c.self = "btfcheck";
  c.pahole = args.value_or("--pahole", c.pahole);
  if (auto f = args.value("--pahole-flags")) c.pahole_flags = split_list(*f, ' ');
  return c;
}

std::string corpora_dir(const Args& args) {
  return args.value_or("--corpus", default_corpora_dir());
}

std::string make_workdir(const std::string& what) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/btfcheck-" + what + "-XXXXXX";
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

}  // namespace btfcheck::cli
