// STUB: replaced by the dump stage.
#include <cstdio>
#include "cli/args.h"
#include "cli/commands.h"
namespace btfcheck::cli {
int cmd_dump(const Argv&) { std::fprintf(stderr, "btfcheck dump: not built yet\n"); return kExitError; }
}  // namespace btfcheck::cli
