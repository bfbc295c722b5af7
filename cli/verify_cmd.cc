// STUB: replaced by the verify stage.
#include <cstdio>
#include "cli/args.h"
#include "cli/commands.h"
namespace btfcheck::cli {
int cmd_verify(const Argv&) { std::fprintf(stderr, "btfcheck verify: not built yet\n"); return kExitError; }
}  // namespace btfcheck::cli
