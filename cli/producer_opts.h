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

// This binary's path (/proc/self/exe); "" when it cannot be read.
std::string self_exe();

// The corpus directory (manifest.json, cases/): $BTFCHECK_CORPORA; else the installed one,
// PREFIX/share/btfcheck/corpora beside PREFIX/bin/btfcheck (located from /proc/self/exe, so
// a relocated prefix works); else the source tree's corpora/, for a binary run from its
// build tree. corpora_dir() is --corpus, else this.
std::string default_corpora_dir();
std::string corpora_dir(const Args& args);

// "a,b,c" -> {"a","b","c"} (empty items dropped).
std::vector<std::string> split_list(const std::string& s, char sep = ',');

// A fresh directory under $TMPDIR (or /tmp) named btfcheck-WHAT-XXXXXX; "" on failure.
std::string make_workdir(const std::string& what);

}  // namespace btfcheck::cli
