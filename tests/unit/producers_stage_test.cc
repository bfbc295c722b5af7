// Plain names (encoder/producers/stage.h): the names producers see are generated, never the
// user's. Checked three ways: the mapping itself, staging on disk (hard link, symbolic link
// across file systems, include directories, re-staging), and every recipe run against stand-in
// tools that record their working directory and arguments, so that each producer family is
// checked whatever compilers this machine has.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "encoder/producers/producers.h"
#include "encoder/producers/stage.h"
#include "tests/unit/require.h"

namespace fs = std::filesystem;
using namespace btfcheck::producers;

namespace {

const std::string kNasty = "a b;touch PWNED;$(touch PWNED)`touch PWNED`";

// A scratch directory, removed at the end of the test.
struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& under = "/tmp") {
    std::string tmpl = under + "/btfcheck-stage-XXXXXX";
    if (mkdtemp(tmpl.data())) dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Any file named PWNED* under `dir`.
std::vector<std::string> pwned_under(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().starts_with("PWNED")) out.push_back(e.path());
  return out;
}

bool generated(const std::string& name) {
  static const std::regex re("[A-Za-z0-9._-]+");
  return std::regex_match(name, re) && name != "." && name != "..";
}

TEST(PlainNames, DependOnlyOnHowManyFilesOfEachKind) {
  Input in;
  in.name = kNasty;
  in.sources = {"DIR/" + kNasty + ".c", "/x/../" + kNasty + "/b.c", "c.c"};
  const PlainNames n = plain_names(in);
  EXPECT_EQ(n.sources, (std::vector<std::string>{"unit0.c", "unit1.c", "unit2.c"}));
  EXPECT_EQ(n.include_dirs, (std::vector<std::string>{"unit0.inc", "unit1.inc", "unit2.inc"}));
  EXPECT_EQ(n.elf, "");
  EXPECT_EQ(n.base, "");

  Input elf;
  elf.name = "..";
  elf.elf = "/tmp/" + kNasty + ".o";
  elf.base = "../" + kNasty;
  const PlainNames e = plain_names(elf);
  EXPECT_TRUE(e.sources.empty());
  EXPECT_EQ(e.elf, "input.elf");
  EXPECT_EQ(e.base, "base.btf");
  for (const std::string& s : {n.sources[0], n.include_dirs[1], e.elf, e.base}) {
    EXPECT_TRUE(generated(s)) << s;
    EXPECT_TRUE(plain_argument(s)) << s;
  }
}

TEST(PlainArgument, RefusesWhatAShellInterprets) {
  for (const char* ok : {"unit0.c", "-O2", "--btf_encode_detached=out.btf", "-j4",
                                "--rules=param-names,fwd-kind", "--btf_base=base.btf",
                                "/usr/bin/pahole", "a+b:c@d"})
    EXPECT_TRUE(plain_argument(ok)) << ok;
  for (const char* bad : {" ", ";", "&", "|", "$", "`", "'", "\"", "\\", "(", ")", "<", ">",
                          "*", "?", "[", "~", "#", "!", "{", "\n", "\t", "%"})
    EXPECT_FALSE(plain_argument(std::string("x") + bad + "y")) << bad;
  EXPECT_FALSE(plain_argument(""));
  EXPECT_FALSE(plain_argument(std::string("a\0b", 3)));
  EXPECT_FALSE(plain_argument(kNasty));
}

TEST(Stage, LinksTheUsersFilesUnderPlainNames) {
  Scratch s;
  ASSERT_FALSE(s.dir.empty());
  const fs::path src_dir = s.dir / ("src " + kNasty);
  write(src_dir / (kNasty + ".c"), "int one;\n");
  write(src_dir / "common.h", "int two;\n");
  write(s.dir / (kNasty + ".o"), "ELF-ish bytes");
  write(s.dir / ("base;" + kNasty), "base bytes");
  Input in;
  in.sources = {(src_dir / (kNasty + ".c")).string()};
  in.elf = (s.dir / (kNasty + ".o")).string();
  in.base = (s.dir / ("base;" + kNasty)).string();
  const fs::path work = s.dir / "work";
  fs::create_directories(work);
  const PlainNames n = plain_names(in);
  for (int round = 0; round < 2; ++round) {   // staging again replaces what is there
    ASSERT_FALSE(stage(in, n, work.string())) << "round " << round;
    EXPECT_EQ(read(work / "unit0.c"), "int one;\n");
    EXPECT_EQ(read(work / "unit0.inc" / "common.h"), "int two;\n");   // its own directory
    EXPECT_EQ(read(work / "input.elf"), "ELF-ish bytes");
    EXPECT_EQ(read(work / "base.btf"), "base bytes");
    // Same file system: hard links, so nothing in the work directory names the original.
    EXPECT_FALSE(fs::is_symlink(work / "unit0.c"));
    EXPECT_EQ(fs::hard_link_count(work / "unit0.c"), 2u);
  }
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(work)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"base.btf", "input.elf", "unit0.c", "unit0.inc"}));
  EXPECT_TRUE(pwned_under(s.dir).empty());
}

TEST(Stage, AcrossFileSystemsLinksSymbolically) {
  Scratch tmp, shm("/dev/shm");
  struct stat a {}, b {};
  if (shm.dir.empty() || stat(tmp.dir.c_str(), &a) != 0 || stat(shm.dir.c_str(), &b) != 0 ||
      a.st_dev == b.st_dev)
    BTFCHECK_SKIP("shm") << "/dev/shm is absent or on the same file system as " << tmp.dir.string()
                         << ": no second file system";
  write(shm.dir / (kNasty + ".o"), "far away");
  Input in;
  in.elf = (shm.dir / (kNasty + ".o")).string();
  ASSERT_FALSE(stage(in, plain_names(in), tmp.dir.string()));
  EXPECT_TRUE(fs::is_symlink(tmp.dir / "input.elf"));
  EXPECT_EQ(read(tmp.dir / "input.elf"), "far away");
}

TEST(Stage, AMissingFileIsAnErrorNamingIt) {
  Scratch s;
  Input in;
  in.sources = {(s.dir / (kNasty + ".c")).string()};
  auto e = stage(in, plain_names(in), s.dir.string());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rule, "io.stage");
  EXPECT_EQ(e->file, in.sources[0]);
}

// Every recipe against stand-in tools: each records its working directory and arguments.
class Recipes : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(s.dir.empty());
    bin = s.dir / "bin";
    log = s.dir / "calls.log";
    write(bin / "rec", "#!/bin/sh\n{ printf 'cwd %s\\n' \"$(pwd -P)\"; printf 'env %s\\n' \"$PWD\"; "
                       "for a in \"$@\"; do printf 'arg %s\\n' \"$a\"; done; } >> \"" + log.string() + "\"\n");
    fs::permissions(bin / "rec", fs::perms::owner_all);
    for (const char* tool : {"ld", "bpf-ld"}) fs::create_symlink("rec", bin / tool);
    const char* path = std::getenv("PATH");
    old_path = path ? path : "";
    setenv("PATH", (bin.string() + ":" + old_path).c_str(), 1);
    cfg.self = cfg.pahole = cfg.gcc = cfg.bpf_gcc = (bin / "rec").string();
  }
  void TearDown() override { setenv("PATH", old_path.c_str(), 1); }

  Producer producer(const std::string& name, const std::string& family) const {
    Producer p;
    p.name = name;
    p.family = family;
    p.tool = (bin / "rec").string();
    return p;
  }

  // Runs `p` on `in` in a work directory whose own name is hostile too; checks each call.
  void check(const Producer& p, const Input& in) {
    fs::remove(log);
    const fs::path work = s.dir / ("work " + kNasty) / p.name;
    auto out = produce(p, in, cfg, work.string(), 2);
    ASSERT_TRUE(out.ok()) << p.name << ": " << out.error().str();
    ASSERT_TRUE(out->skipped.empty()) << p.name << ": " << out->skipped;
    EXPECT_EQ(fs::path(out->btf_path).parent_path(), work) << p.name;
    EXPECT_TRUE(generated(fs::path(out->btf_path).filename())) << out->btf_path;
    std::istringstream calls(read(log));
    std::string line;
    size_t args = 0;
    while (std::getline(calls, line)) {
      if (line.starts_with("cwd ")) {
        EXPECT_EQ(fs::path(line.substr(4)), work) << p.name;
        continue;
      }
      if (line.starts_with("env ")) {   // what compilers record as the directory
        EXPECT_EQ(line.substr(4), "/proc/self/cwd") << p.name;
        continue;
      }
      ++args;
      const std::string a = line.substr(4);
      EXPECT_TRUE(plain_argument(a)) << p.name << " saw '" << a << "'";
      EXPECT_EQ(a.find("PWNED"), std::string::npos) << p.name << " saw '" << a << "'";
    }
    EXPECT_GT(args, 0u) << p.name << " ran nothing";
    EXPECT_TRUE(pwned_under(s.dir).empty());
  }

  Scratch s;
  fs::path bin, log;
  std::string old_path;
  Config cfg;
};

TEST_F(Recipes, CCasesReachEveryToolUnderPlainNames) {
  Input in;
  in.name = kNasty;
  for (const std::string& f : {kNasty + ".c", "second " + kNasty + ".c"}) {
    write(s.dir / ("cases;" + kNasty) / f, "int x;\n");
    in.sources.push_back((s.dir / ("cases;" + kNasty) / f).string());
  }
  for (size_t n : {size_t(1), size_t(2)}) {   // one source, then a linked pair
    Input one = in;
    one.sources.resize(n);
    for (const auto& [name, family] : std::vector<std::pair<std::string, std::string>>{
             {"clang-99", "clang"}, {"gcc", "gcc"}, {"bpf-gcc", "bpf-gcc"}, {"pahole", "pahole"},
             {"btfcheck", "btfcheck"}, {"archive-libbpf", "archive"},
             {"archive-btfcheck", "archive"}})
      check(producer(name, family), one);
  }
}

TEST_F(Recipes, ElfInputsAndBasesReachEveryToolUnderPlainNames) {
  Input in;
  in.name = kNasty;
  in.elf = (s.dir / ("elf " + kNasty + ".o")).string();
  in.base = (s.dir / ("base " + kNasty)).string();
  write(in.elf, "\x7f" "ELF");
  write(in.base, "base");
  for (const auto& [name, family] : std::vector<std::pair<std::string, std::string>>{
           {"pahole", "pahole"}, {"btfcheck", "btfcheck"}, {"archive-libbpf", "archive"},
           {"archive-btfcheck", "archive"}})
    check(producer(name, family), in);
  // embedded runs nothing: its result is the staged ELF itself.
  auto out = produce(producer("embedded", "embedded"), in, cfg, (s.dir / "emb").string());
  ASSERT_TRUE(out.ok()) << out.error().str();
  EXPECT_EQ(out->btf_path, (s.dir / "emb" / "input.elf").string());
  EXPECT_EQ(read(out->btf_path), "\x7f" "ELF");
}

TEST_F(Recipes, AnUnplainFlagIsRefusedBeforeAnythingRuns) {
  Input in;
  in.name = "ok";
  write(s.dir / "ok.c", "int x;\n");
  in.sources = {(s.dir / "ok.c").string()};
  cfg.pahole_flags = {"--btf_gen_floats", "--lang_exclude=rust;touch PWNED"};
  auto out = produce(producer("pahole", "pahole"), in, cfg, (s.dir / "w").string());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().rule, "producer.unsafe-argument");
  EXPECT_NE(out.error().message.find("--lang_exclude=rust;touch PWNED"), std::string::npos);
  EXPECT_FALSE(fs::exists(log));
  EXPECT_FALSE(fs::exists(s.dir / "w"));
}

}  // namespace
