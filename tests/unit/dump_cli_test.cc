// `btfcheck dump` end to end through the binary: formats, -o (atomic, no partial file on
// failure), --base, usage errors and unreadable input (exit 2 naming file, offset, rule).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "btf_builder.h"

namespace btfcheck::testing {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int rc;
  std::string out;
};

// Runs the binary with `args` (shell words), stdout captured, stderr merged when asked.
CliRun run(const std::string& args, bool merge_stderr = false) {
  std::string cmd = std::string(BTFCHECK_BINARY) + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  FILE* p = ::popen(cmd.c_str(), "r");
  CliRun r{-1, ""};
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class DumpCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("btfcheck-dump-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                             std::streamsize(bytes.size()));
    return p.string();
  }
  std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
};

std::vector<uint8_t> small_btf() {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("s", 4, {{"a", i, 0}});
  return b.bytes();
}

TEST_F(DumpCli, RawJsonAndC) {
  const std::string f = write("a.btf", small_btf());
  CliRun raw = run("dump " + f);
  EXPECT_EQ(raw.rc, 0);
  EXPECT_EQ(raw.out,
            "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
            "[2] STRUCT 's' size=4 vlen=1\n"
            "\t'a' type_id=1 bits_offset=0\n");
  EXPECT_EQ(run("dump --format raw " + f).out, raw.out);
  CliRun js = run("dump --format json " + f);
  EXPECT_EQ(js.rc, 0);
  EXPECT_EQ(js.out.rfind("{\"types\":[{\"id\":1,", 0), 0u) << js.out;
  EXPECT_EQ(run("dump --json " + f).out, js.out);
  CliRun c = run("dump --format=c " + f);
  EXPECT_EQ(c.rc, 0);
  EXPECT_NE(c.out.find("struct s {\n\tint a;\n};\n"), std::string::npos) << c.out;
}

TEST_F(DumpCli, OutputFileIsWrittenWhole) {
  const std::string f = write("a.btf", small_btf());
  const std::string o = (dir_ / "out.txt").string();
  CliRun r = run("dump " + f + " -o " + o);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(read(o), run("dump " + f).out);
  EXPECT_EQ(run("dump " + f + " --output " + o + " --format json").rc, 0);
  EXPECT_EQ(read(o), run("dump --json " + f).out);
}

TEST_F(DumpCli, FailureLeavesNoOutputFile) {
  BtfBuilder b;
  b.add_ptr(99);   // libbpf's btf_dump must not see this: c refuses
  const std::string f = write("bad.btf", b.bytes());
  const std::string o = (dir_ / "out.h").string();
  CliRun r = run("dump --format c " + f + " -o " + o, true);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("dump.c-ref"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad.btf"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(o));
  for (const auto& e : fs::directory_iterator(dir_))   // no temporary left behind either
    EXPECT_EQ(e.path().filename().string().find("out.h"), std::string::npos) << e.path();
  // raw still prints it, as bpftool would
  EXPECT_EQ(run("dump " + f).out, "[1] PTR '(anon)' type_id=99\n");
}

TEST_F(DumpCli, SplitWithBase) {
  BtfBuilder base;
  base.add_int("int", 4, 32, kIntSigned);
  auto bb = base.build().parse();
  ASSERT_TRUE(bb.ok());
  BtfBuilder split = BtfBuilder::split(**bb);
  split.add_ptr(1);
  const std::string bf = write("base.btf", base.bytes());
  const std::string sf = write("split.btf", split.bytes());
  CliRun r = run("dump " + sf + " --base " + bf);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "[2] PTR '(anon)' type_id=1\n");
  CliRun c = run("dump --format c --base " + bf + " " + sf);
  EXPECT_EQ(c.rc, 0);
}

TEST_F(DumpCli, UnreadableAndMalformedInputExit2) {
  CliRun r = run("dump " + (dir_ / "missing.btf").string(), true);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("missing.btf"), std::string::npos);
  EXPECT_NE(r.out.find("io.open"), std::string::npos);

  std::vector<uint8_t> bytes = small_btf();
  bytes.resize(bytes.size() - 20);   // strings and part of the types gone
  const std::string t = write("trunc.btf", bytes);
  r = run("dump " + t, true);
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("trunc.btf"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sec.past-end"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+0x"), std::string::npos) << r.out;   // byte offset
}

TEST_F(DumpCli, ArchiveDumpsFirstBlobLikeBpftool) {
  BtfBuilder a, b;
  a.add_int("int", 4, 32, kIntSigned);
  b.add_float("float", 4);
  std::vector<uint8_t> bytes = a.bytes();
  bytes.resize((bytes.size() + 7) / 8 * 8, 0);   // linker padding
  const std::vector<uint8_t> second = b.bytes();
  bytes.insert(bytes.end(), second.begin(), second.end());
  const std::string f = write("ar.btf", bytes);
  CliRun r = run("dump " + f);
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out, "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n");
  EXPECT_EQ(run("dump --member 1 " + f).out, "[1] FLOAT 'float' size=4\n");
  EXPECT_EQ(run("dump --member 2 " + f).rc, 2);
  EXPECT_EQ(run("dump --member x " + f).rc, 2);
}

TEST_F(DumpCli, UsageErrors) {
  const std::string f = write("a.btf", small_btf());
  EXPECT_EQ(run("dump").rc, 2);
  EXPECT_EQ(run("dump " + f + " " + f).rc, 2);
  EXPECT_EQ(run("dump --format yaml " + f).rc, 2);
  EXPECT_EQ(run("dump --json --format c " + f).rc, 2);
  EXPECT_EQ(run("dump --bogus " + f).rc, 2);
  CliRun h = run("dump --help");
  EXPECT_EQ(h.rc, 0);
  EXPECT_NE(h.out.find("usage: btfcheck dump"), std::string::npos);
}

}  // namespace
}  // namespace btfcheck::testing
