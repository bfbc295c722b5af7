// Options every producer-running command shares (matrix, repro, bisect): which pahole and
// with which flags, the corpus directory, and this binary's path for btfcheck's encoders.
#pragma once

#include <string>
#include <vector>

#include "cli/args.h"
#include "encoder/producers/producers.h"

namespace btfcheck::cli {

// --pahole, --pahole-flags, --corpus: appended to a command's own specs.
const std::vector<OptionSpec>& producer_specs();

producers::Config producer_config(const Args& args);
std::string corpora_dir(const Args& args);

// "a,b,c" -> {"a","b","c"} (empty items dropped).
std::vector<std::string> split_list(const std::string& s, char sep = ',');

// A fresh directory under $TMPDIR (or /tmp) named btfcheck-WHAT-XXXXXX; "" on failure.
std::string make_workdir(const std::string& what);

}  // namespace btfcheck::cli
