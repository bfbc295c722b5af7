// Tests for encoder/fixup (`--fixup=libbpf`) on real objects compiled at test time from
// corpora/cases (clang -target bpf, bpf-gcc; skipped with a reason when a compiler is
// absent). Oracles: the ELF symbol table (sizes and offsets), libbpf 1.1 itself
// (bpf_object__open, and bpf_object__load in gen_loader mode, which needs no privileges
// and hands the same BTF to the "kernel" as a real load), and the running kernel's
// BPF_BTF_LOAD when this process may use it.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include <elf.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/load.h"
#include "encoder/fixup/elf_facts.h"
#include "encoder/fixup/fixup.h"
#include "tests/unit/require.h"

namespace fs = std::filesystem;
using namespace btfcheck;

namespace {

const fs::path kCases = fs::path(BTFCHECK_SOURCE_DIR) / "corpora" / "cases";

bool have_tool(const std::string& tool) {
  std::string cmd = "command -v " + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

int quiet_print(enum libbpf_print_level, const char*, va_list) { return 0; }

// A per-test scratch directory with compiled objects; removed when the test ends.
class Objects {
 public:
  Objects() {
    char tmpl[] = "/tmp/btfcheck-fixup-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (d) dir_ = d;
    libbpf_set_print(quiet_print);
  }
  ~Objects() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  // Compiles corpora/cases/<name>.c with `producer`; "" when compilation fails.
  std::string compile(const std::string& name, const std::string& producer) {
    const std::string key = name + "." + producer;
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::string cmd;
    if (producer == "clang") cmd = "clang -target bpf -g -O2 -c";
    else if (producer == "clang-bpfeb") cmd = "clang -target bpfeb -g -O2 -c";
    else if (producer == "bpf-gcc") cmd = "bpf-gcc -gbtf -O2 -c";
    else if (producer == "gcc") cmd = "gcc -gbtf -O2 -c";
    else if (producer == "gcc-pic") cmd = "gcc -gbtf -O2 -fPIC -c";
    const std::string out = (fs::path(dir_) / (key + ".o")).string();
    cmd += " '" + (kCases / (name + ".c")).string() + "' -o '" + out + "' 2>/dev/null";
    const std::string result = std::system(cmd.c_str()) == 0 ? out : "";
    cache_[key] = result;
    return result;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::map<std::string, std::string> cache_;
};

std::vector<std::string> case_names(const std::string& prefix = "") {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kCases))
    if (e.path().extension() == ".c" && e.path().stem().string().rfind(prefix, 0) == 0)
      out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint8_t> btf_of(const std::string& obj) {
  auto blob = btf::load_blob(obj);
  EXPECT_TRUE(blob.ok()) << (blob.ok() ? "" : blob.error().str());
  return blob.ok() ? blob->bytes : std::vector<uint8_t>{};
}

std::shared_ptr<const btf::Btf> parse(const std::vector<uint8_t>& bytes) {
  auto b = btf::Btf::parse(bytes, btf::ParseOptions{});
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().str());
  return b.ok() ? *b : nullptr;
}

// What libbpf 1.1 leaves in bpf_object__btf(): after open, or after a gen_loader load.
// nullopt when libbpf refuses the object.
std::optional<std::vector<uint8_t>> libbpf_btf(const std::string& obj, bool load) {
  struct bpf_object* o = bpf_object__open(obj.c_str());
  if (!o) return std::nullopt;
  std::optional<std::vector<uint8_t>> out;
  bool ok = true;
  if (load) {
    gen_loader_opts gopts;
    std::memset(&gopts, 0, sizeof gopts);
    gopts.sz = sizeof gopts;
    // Programs are not what we compare, and .text-only objects have no program type; the
    // BTF step (bpf_object__sanitize_and_load_btf) runs before any program load anyway.
    struct bpf_program* p;
    bpf_object__for_each_program(p, o) bpf_program__set_autoload(p, false);
    ok = bpf_object__gen_loader(o, &gopts) == 0 && bpf_object__load(o) == 0;
  }
  if (ok) {
    if (struct btf* b = bpf_object__btf(o)) {
      __u32 size = 0;
      auto* p = static_cast<const uint8_t*>(btf__raw_data(b, &size));
      if (p) out = std::vector<uint8_t>(p, p + size);
    }
  }
  bpf_object__close(o);
  return out;
}

// BPF_BTF_LOAD into the running kernel. nullopt when not permitted here.
struct KernelVerdict { bool accepted; std::string log; };
std::optional<KernelVerdict> kernel_load(const std::vector<uint8_t>& bytes) {
  std::vector<char> log(1 << 16, '\0');
  LIBBPF_OPTS(bpf_btf_load_opts, opts, .log_buf = log.data(), .log_level = 1,
              .log_size = uint32_t(log.size()));
  const int fd = bpf_btf_load(bytes.data(), bytes.size(), &opts);
  if (fd >= 0) {
    ::close(fd);
    return KernelVerdict{true, ""};
  }
  if (errno == EPERM || errno == EACCES || errno == ENOSYS) return std::nullopt;
  return KernelVerdict{false, log.data()};
}

const fixup::ElfSymbol* object_symbol(const fixup::ElfFacts& elf, std::string_view name,
                                      uint32_t shndx) {
  for (const auto& s : elf.symbols)
    if (s.type == STT_OBJECT && s.name == name && s.shndx == shndx) return &s;
  return nullptr;
}

// The ELF-derived invariants of a fixed-up object BTF, for every DATASEC backed by an ELF
// section: size == section size, every VAR at its symbol's value, entries sorted and
// disjoint, hidden symbols static, nothing extern left.
// exact = false for gcc output, whose static VAR offsets libbpf leaves at 0: then only
// sizes, non-static offsets and linkage are checked.
void check_against_elf(const std::string& obj, const std::vector<uint8_t>& fixed,
                       bool exact) {
  auto elf = fixup::read_elf_facts(obj);
  ASSERT_TRUE(elf.ok()) << elf.error().str();
  auto b = parse(fixed);
  ASSERT_TRUE(b);
  for (uint32_t id = 1; id < b->type_count(); ++id) {
    btf::Type t = b->type(id);
    if (t.kind() == uint32_t(btf::Kind::Var)) {
      EXPECT_NE(t.var_linkage(), 2u) << obj << ": VAR '" << t.name() << "' still extern";
    }
    if (t.kind() == uint32_t(btf::Kind::Func)) {
      EXPECT_NE(t.vlen(), 2u) << obj << ": FUNC '" << t.name() << "' still extern";
    }
    if (t.kind() != uint32_t(btf::Kind::Datasec)) continue;
    const std::string sec(t.name());
    EXPECT_NE(t.size(), 0u) << obj << ": DATASEC " << sec << " size still 0";
    uint64_t end = 0;
    for (uint32_t i = 0; i < t.vlen() && exact; ++i) {
      auto si = t.secinfo(i);
      EXPECT_GE(si.offset, end) << obj << ": DATASEC " << sec << " entry " << i << " overlaps";
      end = uint64_t(si.offset) + si.size;
      EXPECT_LE(end, t.size()) << obj << ": DATASEC " << sec << " entry " << i << " past end";
    }
    if (sec == ".kconfig" || sec == ".ksyms") continue;
    const fixup::ElfSection* es = elf->section(sec);
    ASSERT_NE(es, nullptr) << obj << ": no ELF section " << sec;
    EXPECT_EQ(t.size(), es->size) << obj << ": DATASEC " << sec;
    for (uint32_t i = 0; i < t.vlen(); ++i) {
      btf::Type v = b->type(t.secinfo(i).type);
      const auto* sym = object_symbol(*elf, v.name(), es->index);
      ASSERT_NE(sym, nullptr) << obj << ": no ELF symbol for VAR '" << v.name() << "'";
      if (v.var_linkage() == 1 || exact) {
        EXPECT_EQ(t.secinfo(i).offset, sym->value) << obj << ": VAR '" << v.name() << "'";
      }
      const bool hidden = sym->visibility == STV_HIDDEN || sym->visibility == STV_INTERNAL;
      if (sym->bind != STB_LOCAL) {
        EXPECT_EQ(v.var_linkage(), hidden ? 0u : 1u) << obj << ": VAR '" << v.name() << "'";
      }
    }
  }
}

TEST(Fixup, ClangDatasecsMatchElfSectionsAndSymbols) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  int checked = 0;
  for (const std::string& name : case_names()) {
    const std::string obj = objs.compile(name, "clang");
    ASSERT_FALSE(obj.empty()) << "clang failed on " << name;
    auto fixed = fixup::apply_libbpf(obj, btf_of(obj));
    if (name == "varargs" || name == "vars_extern_link") {
      // Plain extern functions/variables: only a static linker can resolve them.
      ASSERT_FALSE(fixed.ok()) << name;
      EXPECT_EQ(fixed.error().rule, "fixup.extern-section");
      continue;
    }
    ASSERT_TRUE(fixed.ok()) << fixed.error().str();
    SCOPED_TRACE(name);
    check_against_elf(obj, *fixed, /*exact=*/true);
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(Fixup, BpfGccStaticVarOffsetsStayZeroAsInLibbpf) {
  if (!have_tool("bpf-gcc")) BTFCHECK_SKIP("gcc-bpf") << "bpf-gcc not installed";
  Objects objs;
  const std::string obj = objs.compile("vars_static", "bpf-gcc");
  ASSERT_FALSE(obj.empty());
  auto fixed = fixup::apply_libbpf(obj, btf_of(obj));
  ASSERT_TRUE(fixed.ok()) << fixed.error().str();
  check_against_elf(obj, *fixed, /*exact=*/false);
  // gcc 12 writes 0 for every VAR offset and libbpf only fixes non-static ones: the static
  // VARs of .data overlap, which the kernel rejects ("Invalid offset").
  auto b = parse(*fixed);
  ASSERT_TRUE(b);
  int zero_statics = 0;
  for (uint32_t id = 1; id < b->type_count(); ++id) {
    btf::Type t = b->type(id);
    if (t.kind() != uint32_t(btf::Kind::Datasec)) continue;
    for (uint32_t i = 0; i < t.vlen(); ++i)
      if (b->type(t.secinfo(i).type).var_linkage() == 0 && t.secinfo(i).offset == 0)
        ++zero_statics;
  }
  EXPECT_GE(zero_statics, 3);
}

// Byte-for-byte against libbpf: bpf_object__open (Stage::Open) and, where a gen_loader
// load succeeds (no non-weak .kconfig externs), bpf_object__load (Stage::Load).
TEST(Fixup, MatchesLibbpfByteForByte) {
  Objects objs;
  int open_same = 0, load_same = 0, both_refuse = 0;
  for (const char* producer : {"clang", "bpf-gcc"}) {
    if (!have_tool(producer)) continue;
    for (const std::string& name : case_names()) {
      const std::string obj = objs.compile(name, producer);
      if (obj.empty()) continue;
      SCOPED_TRACE(name + " (" + producer + ")");
      const auto btf = btf_of(obj);
      fixup::Options open_opts{fixup::Stage::Open};
      auto mine = fixup::apply_libbpf(obj, btf, open_opts);
      auto theirs = libbpf_btf(obj, /*load=*/false);
      ASSERT_EQ(mine.ok(), theirs.has_value())
          << (mine.ok() ? "libbpf refused the object, we did not" : mine.error().str());
      if (!theirs) {
        ++both_refuse;
        continue;
      }
      EXPECT_EQ(*mine, *theirs);
      open_same += *mine == *theirs;
      if (auto loaded = libbpf_btf(obj, /*load=*/true)) {
        auto mine_load = fixup::apply_libbpf(obj, btf);
        ASSERT_TRUE(mine_load.ok()) << mine_load.error().str();
        EXPECT_EQ(*mine_load, *loaded);
        load_same += *mine_load == *loaded;
      }
    }
  }
  if (open_same + both_refuse == 0) BTFCHECK_SKIP("clang|gcc-bpf") << "neither clang nor bpf-gcc installed";
  std::printf("libbpf oracle: %d objects identical after open, %d after load, %d refused by "
              "both\n", open_same, load_same, both_refuse);
  EXPECT_GE(open_same, 20);
  EXPECT_GE(load_same, 10);
  EXPECT_GE(both_refuse, 2);
}

TEST(Fixup, HiddenSubprogramBecomesStaticAtLoadOnly) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string obj = objs.compile("vars_hidden", "clang");
  ASSERT_FALSE(obj.empty());
  const auto btf = btf_of(obj);
  auto linkage_of = [](const std::vector<uint8_t>& bytes, std::string_view func) {
    auto b = parse(bytes);
    for (uint32_t id = 1; b && id < b->type_count(); ++id)
      if (b->type(id).kind() == uint32_t(btf::Kind::Func) && b->type(id).name() == func)
        return int(b->type(id).vlen());
    return -1;
  };
  fixup::Report rep;
  auto opened = fixup::apply_libbpf(obj, btf, fixup::Options{fixup::Stage::Open});
  auto loaded = fixup::apply_libbpf(obj, btf, fixup::Options{fixup::Stage::Load}, &rep);
  ASSERT_TRUE(opened.ok() && loaded.ok());
  EXPECT_EQ(linkage_of(*opened, "vh_hidden_sub"), 1);
  EXPECT_EQ(linkage_of(*loaded, "vh_hidden_sub"), 0);
  EXPECT_EQ(linkage_of(*loaded, "vh_global_sub"), 1);
  EXPECT_NE(std::find_if(rep.actions.begin(), rep.actions.end(), [](const std::string& a) {
              return a.find("'vh_hidden_sub'") != std::string::npos &&
                     a.find("-> static") != std::string::npos;
            }), rep.actions.end());
}

TEST(Fixup, KsymsAndKconfigLayout) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string ks = objs.compile("vars_ksyms", "clang");
  const std::string kc = objs.compile("vars_kconfig", "clang");
  ASSERT_FALSE(ks.empty() || kc.empty());
  fixup::Report rep;
  auto fixed = fixup::apply_libbpf(ks, btf_of(ks), &rep);
  ASSERT_TRUE(fixed.ok()) << fixed.error().str();
  auto b = parse(*fixed);
  ASSERT_TRUE(b);
  uint32_t dummy = 0;
  for (uint32_t id = 1; id < b->type_count(); ++id)
    if (b->type(id).kind() == uint32_t(btf::Kind::Var) && b->type(id).name() == "dummy_ksym")
      dummy = id;
  ASSERT_EQ(dummy, b->type_count() - 1) << "dummy_ksym is appended last";
  for (uint32_t id = 1; id < b->type_count(); ++id) {
    btf::Type t = b->type(id);
    if (t.kind() == uint32_t(btf::Kind::Datasec) && t.name() == ".ksyms") {
      EXPECT_EQ(t.size(), 4 * t.vlen());
      for (uint32_t i = 0; i < t.vlen(); ++i) {
        EXPECT_EQ(t.secinfo(i).offset, 4 * i);
        EXPECT_EQ(t.secinfo(i).size, 4u);
      }
    }
    if (t.kind() == uint32_t(btf::Kind::Func) && t.name() == "ks_add") {
      btf::Type proto = b->type(t.type());
      // clang keeps no parameter names for declarations: both get dummy_ksym's name.
      EXPECT_EQ(b->str_or_empty(proto.param(0).name_off), "dummy_ksym");
      EXPECT_EQ(b->str_or_empty(proto.param(1).name_off), "dummy_ksym");
    }
  }
  auto kfixed = fixup::apply_libbpf(kc, btf_of(kc));
  ASSERT_TRUE(kfixed.ok()) << kfixed.error().str();
  auto k = parse(*kfixed);
  ASSERT_TRUE(k);
  for (uint32_t id = 1; id < k->type_count(); ++id) {
    btf::Type t = k->type(id);
    if (t.kind() != uint32_t(btf::Kind::Datasec) || t.name() != ".kconfig") continue;
    // libbpf's order: alignment desc (8: NR_CPUS; 4: HZ, BPF_JIT, LINUX_KERNEL_VERSION by
    // name; 1 by size then name: the bools/chars, then the 16-byte char array).
    std::vector<std::string> order;
    for (uint32_t i = 0; i < t.vlen(); ++i) order.emplace_back(k->type(t.secinfo(i).type).name());
    EXPECT_EQ(order, (std::vector<std::string>{
                         "CONFIG_NR_CPUS", "CONFIG_BPF_JIT", "CONFIG_HZ", "LINUX_KERNEL_VERSION",
                         "CONFIG_BPF_SYSCALL", "CONFIG_LOCALVERSION_CHAR",
                         "CONFIG_DEFAULT_HOSTNAME"}));
    EXPECT_EQ(t.size(), 8u + 3 * 4 + 1 + 1 + 16);
  }
}

TEST(Fixup, KernelAcceptsWhatLibbpfWouldLoad) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string probe = objs.compile("vars_hidden", "clang");
  ASSERT_FALSE(probe.empty());
  if (!kernel_load(btf_of(probe)))
    BTFCHECK_SKIP("kernel-load") << "BPF_BTF_LOAD not permitted here (needs CAP_BPF or root)";
  for (const std::string& name : case_names()) {
    if (name == "varargs" || name == "vars_extern_link") continue;
    const std::string obj = objs.compile(name, "clang");
    ASSERT_FALSE(obj.empty());
    SCOPED_TRACE(name);
    const auto raw = btf_of(obj);
    auto fixed = fixup::apply_libbpf(obj, raw);
    ASSERT_TRUE(fixed.ok()) << fixed.error().str();
    auto raw_verdict = kernel_load(raw);
    auto fixed_verdict = kernel_load(*fixed);
    ASSERT_TRUE(raw_verdict && fixed_verdict);
    EXPECT_FALSE(raw_verdict->accepted) << "clang object BTF loads without fixups?";
    if (name == "vars_sra") {
      // clang's global SRA leaves VAR 'sra_state.0' with the whole struct's type but the
      // piece's size: no libbpf fixup helps.
      EXPECT_FALSE(fixed_verdict->accepted);
      EXPECT_NE(fixed_verdict->log.find("Invalid size"), std::string::npos) << fixed_verdict->log;
    } else {
      EXPECT_TRUE(fixed_verdict->accepted) << fixed_verdict->log;
    }
  }
}

TEST(Fixup, BigEndianObjectKeepsItsByteOrder) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string le = objs.compile("vars_ksyms", "clang");
  const std::string be = objs.compile("vars_ksyms", "clang-bpfeb");
  ASSERT_FALSE(le.empty() || be.empty());
  fixup::Report rep;
  auto fle = fixup::apply_libbpf(le, btf_of(le));
  auto fbe = fixup::apply_libbpf(be, btf_of(be), &rep);
  ASSERT_TRUE(fle.ok() && fbe.ok());
  EXPECT_EQ(btf::detect_endian(*fbe), btf::Endian::Big);
  EXPECT_EQ(btf::detect_endian(*fle), btf::Endian::Little);
  // Same compiler, same source: once each is decoded, the fixed types are the same words.
  auto a = parse(*fle), b = parse(*fbe);
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->type_count(), b->type_count());
  for (uint32_t id = 1; id < a->type_count(); ++id) {
    btf::Type x = a->type(id), y = b->type(id);
    ASSERT_EQ(x.words(), y.words());
    for (size_t w = 0; w < x.words(); ++w) EXPECT_EQ(x.word(w), y.word(w)) << "type " << id;
  }
  EXPECT_FALSE(rep.notes.empty());   // libbpf itself refuses a foreign-endian object
}

TEST(Fixup, ErrorsNameTheObjectSectionTypeAndRule) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string ext = objs.compile("vars_extern_link", "clang");
  const std::string sec = objs.compile("vars_sections", "clang");
  const std::string stat = objs.compile("vars_static", "clang");
  ASSERT_FALSE(ext.empty() || sec.empty() || stat.empty());

  auto e1 = fixup::apply_libbpf(ext, btf_of(ext));
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().rule, "fixup.extern-section");
  EXPECT_EQ(e1.error().file, ext);
  EXPECT_TRUE(e1.error().type_id.has_value());
  EXPECT_NE(e1.error().message.find("el_shared_counter"), std::string::npos);

  // vars_sections' BTF against vars_static's ELF: its custom sections do not exist there.
  auto e2 = fixup::apply_libbpf(stat, btf_of(sec));
  ASSERT_FALSE(e2.ok());
  EXPECT_TRUE(e2.error().rule == "fixup.datasec-size" || e2.error().rule == "fixup.var-symbol")
      << e2.error().str();
  EXPECT_FALSE(e2.error().section.empty());
  EXPECT_TRUE(e2.error().type_id.has_value());

  auto e3 = fixup::apply_libbpf(objs.dir() + "/no-such.o", btf_of(sec));
  ASSERT_FALSE(e3.ok());
  EXPECT_EQ(e3.error().rule, "fixup.elf-open");

  auto e4 = fixup::apply_libbpf((kCases / "vars_static.c").string(), btf_of(sec));
  ASSERT_FALSE(e4.ok());
  EXPECT_EQ(e4.error().rule, "fixup.elf-malformed");

  std::vector<uint8_t> garbage(64, 0x41);
  auto e5 = fixup::apply_libbpf(sec, garbage);
  ASSERT_FALSE(e5.ok());
  EXPECT_EQ(e5.error().rule, "hdr.magic");

  if (have_tool("bpf-gcc")) {
    const std::string kc = objs.compile("vars_kconfig", "bpf-gcc");
    ASSERT_FALSE(kc.empty());
    auto e6 = fixup::apply_libbpf(kc, btf_of(kc));
    ASSERT_FALSE(e6.ok());
    // gcc 12 writes extern VARs with linkage global: libbpf cannot tell them from
    // definitions and refuses the object.
    EXPECT_EQ(e6.error().rule, "fixup.extern-linkage") << e6.error().str();
  }
}

TEST(Fixup, DeterministicAndReportsEveryChange) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string obj = objs.compile("vars_sections", "clang");
  ASSERT_FALSE(obj.empty());
  const auto btf = btf_of(obj);
  fixup::Report r1, r2;
  auto a = fixup::apply_libbpf(obj, btf, &r1);
  auto b = fixup::apply_libbpf(obj, btf, &r2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(r1.actions, r2.actions);
  auto elf = fixup::read_elf_facts(obj);
  ASSERT_TRUE(elf.ok());
  const std::string want =
      "size 0 -> " + std::to_string(elf->section(".data")->size) + " (ELF section size)";
  EXPECT_NE(std::find_if(r1.actions.begin(), r1.actions.end(), [&](const std::string& s) {
              return s.rfind("DATASEC '.data' [", 0) == 0 && s.find(want) != std::string::npos;
            }), r1.actions.end());
  // A second pass over already fixed BTF changes nothing (sizes are set, nothing extern).
  fixup::Report r3;
  auto again = fixup::apply_libbpf(obj, *a, &r3);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *a);
  EXPECT_TRUE(r3.actions.empty());
}

// An x86-64 `gcc -gbtf -fPIC` object: libbpf refuses non-BPF objects, we fix the BTF up
// anyway (with a note) and skip toolchain externs such as _GLOBAL_OFFSET_TABLE_.
TEST(Fixup, X86GccObjectIsFixedWithNotes) {
  if (!have_tool("gcc")) BTFCHECK_SKIP("gcc") << "gcc not installed";
  Objects objs;
  const std::string obj = objs.compile("vars_hidden", "gcc-pic");
  ASSERT_FALSE(obj.empty());
  fixup::Report rep;
  auto fixed = fixup::apply_libbpf(obj, btf_of(obj), &rep);
  ASSERT_TRUE(fixed.ok()) << fixed.error().str();
  check_against_elf(obj, *fixed, /*exact=*/true);
  auto has_note = [&](const char* what) {
    return std::any_of(rep.notes.begin(), rep.notes.end(),
                       [&](const std::string& n) { return n.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(has_note("not BPF"));
  auto elf = fixup::read_elf_facts(obj);
  ASSERT_TRUE(elf.ok());
  const bool got_ref = std::any_of(elf->symbols.begin(), elf->symbols.end(), [](const auto& s) {
    return s.name == "_GLOBAL_OFFSET_TABLE_";
  });
  if (got_ref) {
    EXPECT_TRUE(has_note("_GLOBAL_OFFSET_TABLE_"));
  }
}

// Corrupted type sections (framing kept intact) must never crash the fixup.
TEST(Fixup, SurvivesCorruptedTypes) {
  if (!have_tool("clang")) BTFCHECK_SKIP("clang") << "clang not installed";
  Objects objs;
  const std::string ks = objs.compile("vars_ksyms", "clang");
  const std::string kc = objs.compile("vars_kconfig", "clang");
  ASSERT_FALSE(ks.empty() || kc.empty());
  std::mt19937 rng(12345);
  int ok = 0, refused = 0;
  for (const std::string& obj : {ks, kc}) {
    const auto btf = btf_of(obj);
    auto parsed = parse(btf);
    ASSERT_TRUE(parsed);
    const uint32_t tstart = parsed->header().hdr_len + parsed->header().type_off;
    const uint32_t twords = parsed->header().type_len / 4;
    for (int iter = 0; iter < 1500; ++iter) {
      std::vector<uint8_t> m = btf;
      const int flips = 1 + int(rng() % 3);
      for (int f = 0; f < flips; ++f) {
        const uint32_t w = tstart + 4 * (rng() % twords);
        const uint32_t choice = rng() % 4;
        uint32_t v = choice == 0 ? rng() : choice == 1 ? rng() % 64 : choice == 2 ? 0 : 0xffffffffu;
        std::memcpy(m.data() + w, &v, 4);
      }
      auto r = fixup::apply_libbpf(obj, m);
      (r.ok() ? ok : refused)++;
    }
  }
  EXPECT_GT(ok + refused, 0);
}

}  // namespace
