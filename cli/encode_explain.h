// `encode dwarf --explain` without --compat: every FUNC and VAR where btfcheck's own output
// differs from what the same command with --compat=pahole-master writes, one line each.
//
// Design: exact by construction. The pahole-master encoding of the same input (same
// --features list read in that mode, same --base) is run as well (only under --explain),
// both outputs go through canon and diff as `btfcheck diff OWN MASTER` would, and each
// FUNC or VAR the diff names -- its DECL_TAGs and DATASEC entry counted with it -- gets one
// line. Its reason is read from the --explain lines of the mode that leaves it out (the
// rule that decided, never a guess); where no such line exists the line says
// [unexplained], so a missing reason shows instead of hiding.
//
// Line format (parseable; stable):
//   NAME: vs pahole master: KIND OWN/MASTER [REASON]: TEXT
// KIND is func or var; OWN and MASTER are kept or skipped (kept/kept: both keep it, with a
// different prototype or tags); REASON is one word naming the rule (unambiguous_func,
// param_regs, consistent_func, optimized_params, ..., unexplained); TEXT is the deciding
// mode's --explain reason, with what the other mode does instead.
#pragma once

#include <string>
#include <vector>

#include "btf/error.h"
#include "comparator/diff/diff.h"
#include "encoder/dwarf/encode.h"

namespace btfcheck::cli {

// The rule an --explain reason names, as one word ("" for a line that decides nothing
// about the name, such as a "duplicate" skip). Pure.
std::string explain_reason_name(const std::string& why);

// One line per FUNC or VAR that `changes` (diff of own -> master) names, sorted by (name,
// kind), reasons from the two modes' --explain lines. Pure.
std::vector<std::string> master_difference_lines(const std::vector<diff::Change>& changes,
                                                 const std::vector<std::string>& own_explain,
                                                 const std::vector<std::string>& master_explain,
                                                 const encode::Features& own,
                                                 const encode::Features& master);

// Encodes `elf` in pahole-master mode with `master_features` (otherwise `own_opts`), and
// compares it with `own`, the own-mode output of `own_opts` (with explain lines).
Result<std::vector<std::string>> explain_vs_master(const std::string& elf,
                                                   const encode::Options& own_opts,
                                                   const encode::Output& own,
                                                   const encode::Features& master_features);

}  // namespace btfcheck::cli
