// Function entry offsets (issue 13 item 4): which function symbols have an ftrace patch
// area, and the offset from symbol to DWARF entry learned per kind of function.
//  - The oracle's pure logic (comparator/dwarfcheck/entry_offset.h): which symbol a patch
//    site belongs to, and the most common delta.
//  - The encoder's matching (ElfSymbols::func_addr_at with offsets).
//  - Both readers of the ELF's ftrace table, on programs gcc builds with
//    -fpatchable-function-entry=2 and one function opted out: linked (ET_EXEC), relocatable
//    (ET_REL, relocations) and PIE with the table's words zeroed so that only .rela.dyn
//    tells the sites (the layout of arm64's vmlinux). The two independent readers must
//    agree on how many function addresses are patchable.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "btf/load.h"
#include "comparator/dwarfcheck/dwarfcheck.h"
#include "comparator/dwarfcheck/entry_offset.h"
#include "encoder/dwarf/dwarf_file.h"
#include "encoder/dwarf/elf_syms.h"
#include "encoder/dwarf/encode.h"
#include "tests/unit/require.h"

namespace fs = std::filesystem;
namespace dc = btfcheck::dwarfcheck::detail;
namespace enc = btfcheck::encode;

namespace {

TEST(EntryOffset, SitesMarkTheFunctionTheyBelongTo) {
  const std::vector<uint64_t> syms = {0x1000, 0x1008, 0x1040, 0x1100, 0x1200};
  // arm64: the site is the symbol; x86 IBT: 4 bytes in; a site inside 0x1000's first bytes
  // but at/after the next symbol belongs to that next one.
  dc::SiteMarks m = dc::mark_patchable(syms, {0x1040, 0x1104, 0x1008, 0x1040});
  EXPECT_EQ(m.patchable, (std::vector<uint64_t>{0x1008, 0x1040, 0x1104 - 4}));
  EXPECT_EQ(m.unattributed, 0u);
  // A site 8 bytes before a symbol the previous function's window does not reach: patch
  // NOPs placed before the entry (-fpatchable-function-entry=4,2).
  m = dc::mark_patchable(syms, {0x11f8});
  EXPECT_EQ(m.patchable, (std::vector<uint64_t>{0x1200}));
  // Deep inside a function (gcc's .cold parts, code without a symbol): nobody's.
  m = dc::mark_patchable(syms, {0x1080, 0x1300, 0x10});
  EXPECT_TRUE(m.patchable.empty());
  EXPECT_EQ(m.unattributed, 3u);
  // Within the window of the previous function: it stays the previous one's.
  m = dc::mark_patchable(syms, {0x100a});
  EXPECT_EQ(m.patchable, (std::vector<uint64_t>{0x1008}));
}

TEST(EntryOffset, LearnsTheMostCommonDeltaWithinTheWindow) {
  dc::Learned l = dc::learn_offset({8, 8, 8, 0, 200, -4096});
  EXPECT_EQ(l.offset, 8);
  EXPECT_EQ(l.agree, 3u);
  EXPECT_EQ(l.samples, 4u);   // 200 and -4096 pair a symbol with some other code
  l = dc::learn_offset({8, 0});   // a tie goes to the symbol itself
  EXPECT_EQ(l.offset, 0);
  l = dc::learn_offset({4, -4});   // then to the smaller value
  EXPECT_EQ(l.offset, -4);
  l = dc::learn_offset({});
  EXPECT_EQ(l.offset, 0);
  EXPECT_EQ(l.samples, 0u);
  EXPECT_EQ(dc::learn_offset({64, 64, 65}).offset, 64);
  EXPECT_EQ(dc::learn_offset({65, 65, 0}).offset, 0);
}

TEST(EntryOffset, EncoderMatchesSymbolPlusTheOffsetOfItsKind) {
  enc::ElfSymbols s;
  s.funcs = {"f", "g"};
  s.func_addr_first = {0, 1, 2};
  enc::FuncAddr patchable, other;
  patchable.shndx = other.shndx = 1;
  patchable.value = 0x1000;
  patchable.patchable = true;
  other.value = 0x2000;
  s.func_addrs = {patchable, other};
  EXPECT_TRUE(s.func_addr_at(0, 1, 0x1000) != nullptr);   // offsets start at 0
  s.entries.patchable = 8;
  EXPECT_TRUE(s.func_addr_at(0, 1, 0x1008) != nullptr);
  EXPECT_FALSE(s.func_addr_at(0, 1, 0x1000) != nullptr);
  EXPECT_TRUE(s.func_addr_at(1, 1, 0x2000) != nullptr);   // not patchable: at the symbol
  EXPECT_FALSE(s.func_addr_at(1, 1, 0x2008) != nullptr);
  s.is_rel = true;                        // ET_REL: the section must match too
  EXPECT_TRUE(s.func_addr_at(0, 1, 0x1008) != nullptr);
  EXPECT_FALSE(s.func_addr_at(0, 2, 0x1008) != nullptr);
}

int sh(const std::string& cmd) {
  const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "btfcheck-entry-XXXXXX").string();
    path_ = mkdtemp(t.data()) ? t : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr const char* kProgram = R"(
int traced(int *p, int n) { int s = 0; for (int i = 0; i < n; i++) s += p[i] * 3; return s; }
__attribute__((patchable_function_entry(0, 0))) int untraced(int x) { return x + 1; }
static __attribute__((noinline)) int helper(long x) { return (int)(x * 7); }
int main(void) { int a[2] = {1, 2}; return traced(a, 2) + untraced(3) + helper(4); }
)";

// The standard output of `cmd`.
std::string capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// Zeroes the words of `section` in `path` (its file bytes), leaving the relocations.
bool zero_section(const std::string& path, const std::string& section) {
  std::istringstream in(capture("readelf -SW " + path + " | sed -n 's/^ *\\[ *[0-9]*\\] //p' | awk '$1 == \"" +
                                section + "\" {print $4, $5}'"));
  unsigned long off = 0, size = 0;
  if (!(in >> std::hex >> off >> size) || !size) return false;
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(off));
  const std::string zeros(size, '\0');
  f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  return static_cast<bool>(f);
}

struct Variant {
  const char* name;
  const char* flags;   // gcc link mode
  bool zero_table;
  const char* expect_table;   // in both readers' account of the table
};

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class PatchableProgram : public ::testing::TestWithParam<Variant> {};

TEST_P(PatchableProgram, BothReadersMarkTheTracedFunctionsOnly) {
  const Variant& v = GetParam();
  if (sh("command -v gcc") != 0) BTFCHECK_SKIP("gcc") << "gcc is not installed";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string src = dir.path() + "/p.c", bin = dir.path() + "/p";
  std::ofstream(src) << kProgram;
  ASSERT_EQ(sh("gcc -g -O2 -fpatchable-function-entry=2 " + std::string(v.flags) + " " + src +
               " -o " + bin),
            0);
  if (v.zero_table) {
    ASSERT_TRUE(zero_section(bin, "__patchable_function_entries"));
  }
  elf_version(EV_CURRENT);

  auto file = enc::DwarfFile::open(bin);
  ASSERT_TRUE(file) << file.error().str();
  auto syms = enc::read_elf_symbols((*file)->elf(), bin);
  ASSERT_TRUE(syms) << syms.error().str();
  auto patchable = [&](const char* name) {
    const int64_t i = syms->find_func(name);
    return i >= 0 && syms->func_addrs[syms->func_addr_first[i]].patchable;
  };
  EXPECT_TRUE(patchable("traced"));
  EXPECT_TRUE(patchable("main"));
  EXPECT_FALSE(patchable("untraced"));
  EXPECT_NE(syms->entries.table.find(v.expect_table), std::string::npos) << syms->entries.table;
  // gcc on x86-64 puts low_pc at the symbol, before the NOPs: both kinds learn 0.
  auto units = enc::list_units((*file)->dwarf(), bin);
  ASSERT_TRUE(units);
  enc::learn_entry_offsets(**file, *units, *syms);
  EXPECT_EQ(syms->entries.patchable, 0);
  EXPECT_EQ(syms->entries.other, 0);
  EXPECT_GE(syms->entries.patchable_samples, 2u);
  EXPECT_EQ(syms->entries.other_agree, syms->entries.other_samples);

  // The oracle, with its own reader, on btfcheck's encoding of the same file.
  enc::Options opts;
  auto out = enc::encode_dwarf(bin, opts);
  ASSERT_TRUE(out) << out.error().str();
  const std::string raw = dir.path() + "/p.btf";
  std::ofstream(raw, std::ios::binary) << out->btf;
  auto btf = btfcheck::btf::open_btf(raw);
  ASSERT_TRUE(btf);
  auto rep = btfcheck::dwarfcheck::check(bin, **btf);
  ASSERT_TRUE(rep) << rep.error().str();
  EXPECT_TRUE(rep->clean());
  EXPECT_EQ(rep->entry.patchable.symbols, syms->entries.patchable_funcs);
  EXPECT_EQ(rep->entry.patchable.offset, 0);
  EXPECT_EQ(rep->entry.other.offset, 0);
  EXPECT_EQ(rep->entry.machine, "x86-64");
  EXPECT_NE(rep->entry.table.find(v.expect_table), std::string::npos) << rep->entry.table;
  EXPECT_EQ(rep->funcs_at_entry, rep->funcs);
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, PatchableProgram,
    ::testing::Values(Variant{"exec", "-no-pie", false, "__patchable_function_entries"},
                      Variant{"object", "-c", false, "__patchable_function_entries"},
                      Variant{"pie_relocated", "-pie -fPIE", true, ".rela.dyn"}),
    [](const ::testing::TestParamInfo<Variant>& i) { return std::string(i.param.name); });

}  // namespace
