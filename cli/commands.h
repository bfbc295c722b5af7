// Subcommand entry points. Each takes the arguments after its name and returns an exit code
// (0 clean, 1 findings, 2 could not run). cli/ stays thin: parse, call stages, map errors.
#pragma once

#include <string>
#include <vector>

namespace btfcheck::cli {

using Argv = std::vector<std::string>;

int cmd_verify(const Argv& args);
int cmd_dump(const Argv& args);
int cmd_canon(const Argv& args);
int cmd_digest(const Argv& args);
int cmd_diff(const Argv& args);
int cmd_dups(const Argv& args);
int cmd_encode(const Argv& args);
int cmd_encode_archive(const Argv& args);   // `encode archive`, dispatched by cmd_encode
int cmd_matrix(const Argv& args);
int cmd_repro(const Argv& args);
int cmd_bisect(const Argv& args);
int cmd_report(const Argv& args);
int cmd_gate(const Argv& args);
int cmd_size(const Argv& args);
int cmd_relocate(const Argv& args);

}  // namespace btfcheck::cli
