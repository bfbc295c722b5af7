// btfcheck's version line, fixed by the build: the project version and the git commit the
// binary was built from ("btfcheck 0.12.0 (git 2735a18)", "-dirty" after the commit when
// the tree had changes, "not built from a git checkout" otherwise). Defined in a file the
// build generates (cli/version.cmake) and only the btfcheck binary links, so a new commit
// recompiles that one file and relinks the binary.
#pragma once

namespace btfcheck::cli {

const char* version_line();

}  // namespace btfcheck::cli
