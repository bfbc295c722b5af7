#include "cli/producer_opts.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <sstream>

namespace btfcheck::cli {

const std::vector<OptionSpec>& producer_specs() {
  static const std::vector<OptionSpec> specs = {
      {"--pahole", true, "pahole binary for the pahole and archive producers (default: pahole on PATH)", "PATH"},
      {"--pahole-flags", true, "pahole flags, space-separated (default: \"--btf_gen_floats --lang_exclude=rust\", Linux 6.1's)", "FLAGS"},
      {"--corpus", true, "corpus directory with manifest.json (default: $BTFCHECK_CORPORA or the source tree's corpora/)", "DIR"},
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

producers::Config producer_config(const Args& args) {
  producers::Config c;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  c.self = n > 0 ? std::string(self, size_t(n)) : "btfcheck";
  c.pahole = args.value_or("--pahole", c.pahole);
  if (auto f = args.value("--pahole-flags")) c.pahole_flags = split_list(*f, ' ');
  return c;
}

std::string corpora_dir(const Args& args) {
  return args.value_or("--corpus", producers::default_corpora_dir());
}

std::string make_workdir(const std::string& what) {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/btfcheck-" + what + "-XXXXXX";
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

}  // namespace btfcheck::cli
