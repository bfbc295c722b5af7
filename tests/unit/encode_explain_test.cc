// encode --explain against pahole master (cli/encode_explain.h): the pure part, from diff
// changes and the two modes' --explain lines to one line per FUNC or VAR.
#include <gtest/gtest.h>

#include "cli/encode_explain.h"

namespace btfcheck::cli {
namespace {

diff::Change change(const std::string& category, const std::string& kind, const std::string& path) {
  return diff::Change::of(category, kind, path, "", "");
}

const encode::Features kOwn = encode::default_features(encode::Compat::None);
const encode::Features kMaster = encode::default_features(encode::Compat::PaholeMaster);

TEST(EncodeExplain, ReasonNames) {
  EXPECT_EQ(explain_reason_name("2 ELF symbols of this name at different addresses: a FUNC cannot "
                                "say which one it describes (unambiguous_func)"),
            "unambiguous_func");
  EXPECT_EQ(explain_reason_name("optimized parameters of a .isra/.constprop clone: parameter 'x' "
                                "(--compat=pahole-master)"),
            "optimized_params");
  EXPECT_EQ(explain_reason_name("duplicate: its FUNC comes from CU 'a.c'"), "");
  // A rule about every FUNC of the name outranks one about one DIE.
  EXPECT_EQ(explain_reason_name("per-CPU variable at address 0 of vmlinux (...)"), "percpu_address_0");
}

TEST(EncodeExplain, OneLinePerFuncOrVar) {
  const std::vector<diff::Change> changes = {
      change("removed", "func", "func helper"),
      change("added", "func", "func clone_only"),
      change("added", "", "decl_tag(\"bpf_kfunc\", func kf)"),
      change("added", "", "decl_tag(\"bpf_fastcall\", func kf)"),
      change("datasec", "datasec", "datasec .data..percpu.var fixed_percpu_data"),
      change("added", "var", "var fixed_percpu_data"),
      change("removed", "struct", "struct only_helper_uses"),
  };
  const std::vector<std::string> own = {
      "clone_only: skipped: a parameter has no name (pahole skips such functions)",
      "clone_only: skipped: no ELF function symbol of this exact name, only the renamed clone "
      "clone_only.isra.0 (optimized_func matches it; off here)",
      "fixed_percpu_data: skipped: per-CPU variable at address 0 of vmlinux (pahole 1.24 skips "
      "address 0; --compat=pahole-master keeps it, as its symbol is there)",
  };
  const std::vector<std::string> master = {
      "helper: skipped: duplicate: its FUNC comes from CU 'a.c'",
      "helper: skipped: 2 ELF symbols of this name at different addresses: a FUNC cannot say "
      "which one it describes (unambiguous_func)",
  };
  const auto lines = master_difference_lines(changes, own, master, kOwn, kMaster);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "clone_only: vs pahole master: func skipped/kept [optimized_func]: no ELF function "
            "symbol of this exact name, only the renamed clone clone_only.isra.0 (optimized_func "
            "matches it; off here)");
  EXPECT_EQ(lines[1],
            "fixed_percpu_data: vs pahole master: var skipped/kept [percpu_address_0]: per-CPU "
            "variable at address 0 of vmlinux (pahole 1.24 skips address 0; "
            "--compat=pahole-master keeps it, as its symbol is there)");
  EXPECT_EQ(lines[2],
            "helper: vs pahole master: func kept/skipped [unambiguous_func]: 2 ELF symbols of "
            "this name at different addresses: a FUNC cannot say which one it describes "
            "(unambiguous_func); btfcheck keeps the prototype of the subprogram at one of its "
            "symbol addresses (unambiguous_func is off here)");
  EXPECT_EQ(lines[3],
            "kf: vs pahole master: func kept/kept [decl_tag_kfuncs]: pahole master adds DECL_TAG "
            "bpf_kfunc, bpf_fastcall (a kfunc of a .BTF_ids set; decl_tag_kfuncs is off here)");
}

TEST(EncodeExplain, OneMoreCopyOfABaseName) {
  // A module's FUNC jhash next to the base's jhash: the diff names it jhash#DIGEST.
  const auto lines = master_difference_lines(
      {change("copy-removed", "func", "func jhash#c12f7af0")}, {},
      {"jhash: skipped: reordered parameters: 'initval' is parameter 2 of the code, 3 of the "
       "source (--compat=pahole-master)"},
      kOwn, kMaster);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "jhash: vs pahole master: func kept/skipped [reordered_params]: reordered parameters: "
            "'initval' is parameter 2 of the code, 3 of the source (--compat=pahole-master); only "
            "--compat=pahole-master applies pahole master's parameter analysis");
}

TEST(EncodeExplain, MissingReasonIsUnexplained) {
  const auto lines = master_difference_lines({change("removed", "func", "func lost")}, {}, {},
                                             kOwn, kMaster);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            "lost: vs pahole master: func kept/skipped [unexplained]: no --explain line of the "
            "mode that leaves it out names it");
  EXPECT_TRUE(master_difference_lines({}, {}, {}, kOwn, kMaster).empty());
}

TEST(EncodeExplain, AnotherPrototypeFromTheSubprogramAtTheSymbolsEntry) {
  // arm64: pahole master compares DW_AT_low_pc with the symbol values, 8 bytes apart for a
  // patchable function, and takes the first CU's prototype; btfcheck takes the one at the
  // symbol's entry. A parameter name is all that differs.
  const std::vector<diff::Change> changes = {
      change("param-name", "func", "func __arm64_sys_getuid16.param0"),
      change("param-name", "func", "func other.param0"),
  };
  const std::vector<std::string> master = {
      "__arm64_sys_getuid16: skipped: duplicate: its FUNC comes from CU 'kernel/sys_ni.c' (the "
      "first CU that defines it); this subprogram starts at the symbol's entry, but pahole "
      "master compares DW_AT_low_pc with the symbol values (symbol_entry)",
      "other: skipped: duplicate: its FUNC comes from CU 'a.c' (the first CU that defines it)",
  };
  const auto lines = master_difference_lines(changes, {}, master, kOwn, kMaster);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("__arm64_sys_getuid16: vs pahole master: func kept/kept "
                                   "[symbol_entry]: another prototype: pahole master's comes "
                                   "from another subprogram (duplicate: its FUNC comes from CU "
                                   "'kernel/sys_ni.c'"))
      << lines[0];
  EXPECT_TRUE(lines[0].ends_with("; btfcheck takes the one at the symbol's entry")) << lines[0];
  // A plain duplicate line explains nothing.
  EXPECT_EQ(lines[1], "other: vs pahole master: func kept/kept [unexplained]: another prototype");
}

}  // namespace
}  // namespace btfcheck::cli
