// DWARF -> BTF encoder against pahole (Debian's 1.24) on small programs.
//
// Each corpus case is compiled for the host with gcc and clang-14 (DWARF 4 and 5, and with
// -fdebug-types-section), encoded by encode::encode_dwarf, and compared with
// `pahole -J --btf_gen_floats` of the same object through `btfcheck diff` (strict rules,
// exit 0), and `btfcheck verify` must accept the output. A relocatable object linking
// every case (many CUs) checks that the bytes do not depend on -j or on the scheduling
// (one batch per CU, 1/2/4/8 threads, repeated), which is also the test run under TSan.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/kinds.h"
#include "btf/write.h"
#include "encoder/dwarf/encode.h"
#include "encoder/dwarf/layout.h"
#include "tests/unit/require.h"

namespace fs = std::filesystem;
using btfcheck::encode::encode_dwarf;
using btfcheck::encode::Options;

namespace {

int sh(const std::string& cmd) {
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool have(const std::string& tool) { return sh("command -v " + tool) == 0; }

std::string tmpdir() {
  std::string t = (fs::temp_directory_path() / "btfcheck-encode-XXXXXX").string();
  return mkdtemp(t.data()) ? t : std::string();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

struct Compiler {
  const char* tag;
  std::string cmd;  // source and -o OUT are appended
};

std::vector<Compiler> compilers() {
  std::vector<Compiler> out;
  if (have("gcc")) {
    out.push_back({"gcc-dwarf5", "gcc -g -O2 -c"});
    out.push_back({"gcc-dwarf4", "gcc -gdwarf-4 -O2 -c"});
    out.push_back({"gcc-types4", "gcc -gdwarf-4 -fdebug-types-section -O2 -c"});
  }
  if (have("clang-14")) {
    out.push_back({"clang14-dwarf5", "clang-14 -g -O2 -c"});
    out.push_back({"clang14-dwarf4", "clang-14 -gdwarf-4 -O2 -c"});
  }
  return out;
}

std::vector<std::string> corpus_cases() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(std::string(BTFCHECK_SOURCE_DIR) + "/corpora/cases"))
    if (e.path().extension() == ".c") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class EncodeVsPahole : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("pahole")) BTFCHECK_SKIP("pahole") << "pahole is not installed";
    ASSERT_EQ(access(BTFCHECK_BINARY, X_OK), 0) << BTFCHECK_BINARY << " is not built";
    dir_ = tmpdir();
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(EncodeVsPahole, CorpusCasesMatchPaholeAndVerify) {
  const auto comps = compilers();
  if (comps.empty()) BTFCHECK_SKIP("gcc|clang-14") << "neither gcc nor clang-14 is installed";
  int compared = 0;
  for (const std::string& src : corpus_cases()) {
    const std::string stem = fs::path(src).stem().string();
    for (const Compiler& c : comps) {
      const std::string obj = dir_ + "/" + stem + "." + c.tag + ".o";
      if (sh(c.cmd + " " + src + " -o " + obj) != 0) continue;  // BPF-only constructs
      SCOPED_TRACE(stem + " " + c.tag);
      auto out = encode_dwarf(obj, Options{});
      ASSERT_TRUE(out.ok()) << out.error().str();
      const std::string ours = obj + ".ours.btf", ref = obj + ".pahole.btf";
      write_file(ours, out->btf);
      ASSERT_EQ(std::system(("pahole -J --btf_gen_floats --btf_encode_detached=" + ref + " " +
                             obj + " >" + ref + ".log 2>&1").c_str()), 0);
      // pahole stops a CU's variables at the first one whose type it cannot resolve (gcc's
      // DWARF 4 type units can name a signature no unit defines) and says "error:"; we
      // skip just that variable (see --explain), so there is no parity to ask for.
      std::ifstream log(ref + ".log");
      const std::string plog((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      if (plog.find("error:") == std::string::npos) {
        EXPECT_EQ(sh(std::string(BTFCHECK_BINARY) + " diff " + ref + " " + ours), 0)
            << "btfcheck diff " << ref << " " << ours;
      }
      // When DWARF itself is broken (gcc's DWARF 4 type units can reference a signature
      // no unit defines: both encoders then write a TYPEDEF of void, which the kernel
      // refuses), only pahole's parity is asked for.
      if (sh(std::string(BTFCHECK_BINARY) + " verify " + ref) == 0) {
        EXPECT_EQ(sh(std::string(BTFCHECK_BINARY) + " verify " + ours), 0) << "verify " << ours;
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 20) << "too few corpus objects compiled for the host";
}

// A relocatable object with one CU per corpus case.
std::string link_all(const std::string& dir) {
  std::string objs;
  for (const std::string& src : corpus_cases()) {
    const std::string obj = dir + "/" + fs::path(src).stem().string() + ".o";
    if (sh("gcc -g -O2 -c " + src + " -o " + obj) == 0) objs += " " + obj;
  }
  const std::string out = dir + "/all.o";
  if (objs.empty() || sh("ld -r -o " + out + objs) != 0) return "";
  return out;
}

TEST(EncodeDwarf, SameBytesForEveryJobCount) {
  if (!have("gcc") || !have("ld")) BTFCHECK_SKIP("gcc|binutils") << "gcc/ld not installed";
  const std::string dir = tmpdir();
  ASSERT_FALSE(dir.empty());
  const std::string all = link_all(dir);
  ASSERT_FALSE(all.empty());
  // btfcheck's own mode, and pahole master's (its function checks, kfunc tags, layout).
  for (btfcheck::encode::Compat mode : {btfcheck::encode::Compat::None, btfcheck::encode::Compat::PaholeMaster}) {
    Options o;
    o.batch_bytes = 1;  // one batch per CU: the most scheduling freedom
    o.explain = true;
    o.compat = mode;
    o.features = btfcheck::encode::default_features(mode);
    o.features.layout = mode != btfcheck::encode::Compat::None;
    std::string first;
    std::vector<std::string> first_explain;
    for (unsigned jobs : {1u, 2u, 4u, 8u, 8u, 3u}) {
      o.jobs = jobs;
      auto out = encode_dwarf(all, o);
      ASSERT_TRUE(out.ok()) << out.error().str();
      EXPECT_GT(out->batches, 10u);
      if (first.empty()) {
        first = out->btf;
        first_explain = out->explain;
        continue;
      }
      EXPECT_EQ(out->btf, first) << "-j" << jobs << " gave other bytes";
      EXPECT_EQ(out->explain, first_explain) << "-j" << jobs << " explained differently";
    }
  }
  fs::remove_all(dir);
}

TEST_F(EncodeVsPahole, MultiCuObjectMatchesPahole) {
  const std::string all = link_all(dir_);
  ASSERT_FALSE(all.empty());
  Options o;
  o.jobs = 4;
  o.batch_bytes = 1;
  auto out = encode_dwarf(all, o);
  ASSERT_TRUE(out.ok()) << out.error().str();
  write_file(dir_ + "/ours.btf", out->btf);
  ASSERT_EQ(sh("pahole -J --btf_gen_floats --btf_encode_detached=" + dir_ + "/ref.btf " + all), 0);
  EXPECT_EQ(sh(std::string(BTFCHECK_BINARY) + " diff " + dir_ + "/ref.btf " + dir_ + "/ours.btf"), 0);
  // One FUNC per name: the first CU's (a static function in two CUs gives one FUNC).
  EXPECT_GT(out->funcs, 10u);
}

TEST(EncodeDwarf, ErrorsNameTheInput) {
  auto missing = encode_dwarf("/nonexistent/vmlinux", Options{});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().file, "/nonexistent/vmlinux");
  const std::string dir = tmpdir();
  write_file(dir + "/junk", std::string(100, 'x'));
  auto junk = encode_dwarf(dir + "/junk", Options{});
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().str().find("junk"), std::string::npos);
  fs::remove_all(dir);
}

TEST(EncodeDwarf, Features) {
  using btfcheck::encode::Compat;
  using btfcheck::encode::default_features;
  using btfcheck::encode::parse_features;
  // No --features: btfcheck's own set (pahole 1.24's with Linux 6.1's flags, FUNCs by address).
  auto own = default_features(Compat::None);
  EXPECT_TRUE(own.float_kind && own.enum64 && own.var && own.decl_tag && own.type_tag);
  EXPECT_TRUE(own.func_by_address);
  EXPECT_FALSE(own.global_var || own.consistent_func || own.optimized_func || own.decl_tag_kfuncs ||
               own.layout || own.unambiguous_func || own.param_regs);
  // `default` is pahole master's nine-feature set; btfcheck's choices stay as they were.
  auto d = parse_features("default");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->float_kind && d->enum64 && d->var && d->decl_tag && d->type_tag &&
              d->optimized_func && d->consistent_func && d->decl_tag_kfuncs);
  EXPECT_FALSE(d->global_var || d->layout || d->unambiguous_func || d->param_regs);
  EXPECT_TRUE(d->func_by_address);
  auto pahole124 = parse_features("-func_by_address");
  ASSERT_TRUE(pahole124.ok());
  EXPECT_FALSE(pahole124->func_by_address);
  EXPECT_TRUE(pahole124->var && pahole124->enum64 && !pahole124->consistent_func);
  EXPECT_FALSE(default_features(Compat::Pahole124).func_by_address);
  auto later = parse_features("+consistent_func,unambiguous_func,param_regs");
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->consistent_func && later->unambiguous_func && later->param_regs &&
              later->func_by_address);
  EXPECT_FALSE(later->decl_tag_kfuncs || later->optimized_func);
  auto all = parse_features("all");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->param_regs && all->global_var && all->func_by_address && all->layout);
  auto plus = parse_features("+global_var");
  ASSERT_TRUE(plus.ok());
  EXPECT_TRUE(plus->global_var && plus->var && !plus->decl_tag_kfuncs);
  // An explicit list turns pahole's features off, not btfcheck's choices.
  auto only = parse_features("var,float");
  ASSERT_TRUE(only.ok());
  EXPECT_TRUE(only->var && only->float_kind && only->func_by_address);
  EXPECT_FALSE(only->enum64 || only->decl_tag || only->decl_tag_kfuncs);
  auto minus = parse_features("-enum64");
  ASSERT_TRUE(minus.ok());
  EXPECT_FALSE(minus->enum64);
  EXPECT_TRUE(minus->float_kind);
  EXPECT_FALSE(parse_features("nonsense").ok());
  EXPECT_EQ(parse_features("nonsense").error().rule, "usage.feature");
  // pahole's no-ops are accepted; true_signature rewrites pahole master's function
  // analysis, so it needs that mode ("all" leaves it off elsewhere).
  EXPECT_TRUE(parse_features("default,encode_force,reproducible_build").ok());
  auto elsewhere = parse_features("+true_signature");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_NE(elsewhere.error().message.find("--compat=pahole-master"), std::string::npos);
  EXPECT_FALSE(all->true_signature);
  EXPECT_TRUE(parse_features("-true_signature").ok());
  auto ts = parse_features("default,true_signature", Compat::PaholeMaster);
  ASSERT_TRUE(ts.ok());
  EXPECT_TRUE(ts->true_signature && ts->optimized_func && ts->param_regs);
  EXPECT_FALSE(default_features(Compat::PaholeMaster).true_signature);
  EXPECT_TRUE(parse_features("all", Compat::PaholeMaster)->true_signature);
  EXPECT_TRUE(parse_features("-distilled_base").ok());

  // --compat=pahole-master starts from pahole master's defaults and its function checks.
  auto master = default_features(Compat::PaholeMaster);
  EXPECT_TRUE(master.decl_tag_kfuncs && master.optimized_func && master.consistent_func &&
              master.func_by_address && master.unambiguous_func && master.param_regs);
  EXPECT_FALSE(master.global_var || master.layout);
  auto master_layout = parse_features("+layout", Compat::PaholeMaster);
  ASSERT_TRUE(master_layout.ok());
  EXPECT_TRUE(master_layout->layout && master_layout->decl_tag_kfuncs && master_layout->param_regs);
  auto master_list = parse_features("default,global_var", Compat::PaholeMaster);
  ASSERT_TRUE(master_list.ok());
  EXPECT_TRUE(master_list->global_var && master_list->decl_tag_kfuncs && master_list->param_regs);
  EXPECT_FALSE(master_list->layout);
}

TEST(EncodeDwarf, Compat) {
  using btfcheck::encode::Compat;
  using btfcheck::encode::compat_name;
  using btfcheck::encode::parse_compat;
  for (Compat c : {Compat::None, Compat::Pahole124, Compat::PaholeMaster}) {
    auto back = parse_compat(compat_name(c));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, c);
  }
  auto bad = parse_compat("pahole-1.26");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().rule, "usage.compat");
}

// libbpf 1.8's framing, as pahole master writes it: a base BTF of one INT is 53 bytes with
// the 32-byte header and 133 with the layout section (layout_off 16, str_off 96), measured
// on pahole master; the types and strings stay as they were, in either byte order.
TEST(EncodeDwarf, Header32AndLayout) {
  using btfcheck::encode::with_header32;
  namespace btf = btfcheck::btf;
  const std::vector<uint32_t> int_words{1, btf::make_info(1, 0, false), 4, (1u << 24) | 32};
  for (btf::Endian e : {btf::Endian::Little, btf::Endian::Big}) {
    const bool big = e == btf::Endian::Big;
    const auto raw = btf::write_blob(int_words, std::string_view("\0int\0", 5), e);
    ASSERT_EQ(raw.size(), 45u);
    const std::string_view raw_sv(reinterpret_cast<const char*>(raw.data()), raw.size());
    for (bool layout : {false, true}) {
      auto framed = with_header32(raw_sv, big, layout, "t.btf");
      ASSERT_TRUE(framed.ok()) << framed.error().str();
      EXPECT_EQ(framed->size(), layout ? 133u : 53u);
      btf::ParseOptions po;
      po.file = "t.btf";
      auto parsed = btf::Btf::parse(std::vector<uint8_t>(framed->begin(), framed->end()), po);
      ASSERT_TRUE(parsed.ok()) << parsed.error().str();
      const btf::Header& h = (*parsed)->header();
      EXPECT_EQ(h.hdr_len, 32u);
      EXPECT_EQ(h.type_off, 0u);
      EXPECT_EQ(h.type_len, 16u);
      EXPECT_EQ(h.str_off, layout ? 96u : 16u);
      EXPECT_EQ(h.str_len, 5u);
      EXPECT_EQ(h.layout_off, layout ? 16u : 0u);
      EXPECT_EQ(h.layout_len, layout ? 80u : 0u);
      EXPECT_EQ(framed->substr(32, 16), raw_sv.substr(24, 16));
      EXPECT_EQ(framed->substr(framed->size() - 5), raw_sv.substr(40));
      const auto entries = (*parsed)->layout();
      ASSERT_EQ(entries.size(), layout ? 20u : 0u);
      for (uint32_t k = 0; k < entries.size(); ++k) {
        EXPECT_EQ(entries[k].info_sz, btf::kind_layout(k).fixed_words * 4) << k;
        EXPECT_EQ(entries[k].elem_sz, btf::kind_layout(k).vlen_words * 4) << k;
        EXPECT_EQ(entries[k].flags, 0);
      }
      if (layout) {   // libbpf's table, spelled out: INT 4, ARRAY 12, STRUCT 12, ENUM 8, ...
        EXPECT_EQ(entries[1].info_sz, 4);
        EXPECT_EQ(entries[3].info_sz, 12);
        EXPECT_EQ(entries[4].elem_sz, 12);
        EXPECT_EQ(entries[6].elem_sz, 8);
        EXPECT_EQ(entries[13].elem_sz, 8);
        EXPECT_EQ(entries[14].info_sz, 4);
        EXPECT_EQ(entries[15].elem_sz, 12);
        EXPECT_EQ(entries[17].info_sz, 4);
        EXPECT_EQ(entries[19].elem_sz, 12);
      }
    }
  }
  // Not libbpf's 24-byte framing: an error, not a guess.
  auto bad = with_header32(std::string_view("\x9f\xeb\x01\x00\x20\x00\x00\x00", 8), false, true, "t.btf");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().rule, "encode.internal");
}

}  // namespace
