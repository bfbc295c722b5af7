// Real inputs (running kernel's vmlinux, Debian's cloud vmlinux, kernel modules as split
// BTF) must verify clean, and `btfcheck verify` behaves as documented: output format, JSON,
// archives, --base, --kernel-builtin, --fixup=libbpf, exit codes.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "btf/load.h"
#include "test_inputs.h"
#include "tests/unit/require.h"
#include "verify_test_util.h"

namespace btfcheck::testing {
namespace {

namespace fs = std::filesystem;

bool exists(const std::string& p) { return !p.empty() && fs::exists(p); }

std::string cloud_vmlinux() { return cloud_vmlinux_path(); }

// Kernel modules (.ko with .BTF) matching cloud_vmlinux(): BTFCHECK_MODULES_DIR or the
// Debian debug package's tree next to it.
std::vector<std::string> cloud_modules(size_t max) {
  const std::string dir = cloud_modules_dir();
  std::vector<std::string> out;
  if (!exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".ko") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  if (out.size() > max) out.resize(max);
  return out;
}

verify::Report verify_file(const std::string& path, std::shared_ptr<const btf::Btf> base,
                           const verify::Options& opts = {}) {
  auto blob = btf::load_blob(path);
  EXPECT_TRUE(blob.ok()) << (blob.ok() ? "" : blob.error().str());
  if (!blob.ok()) return {};
  return verify::verify_bytes(std::move(blob->bytes),
                              btf::ParseOptions{path, blob->section, std::move(base)}, opts);
}

TEST(VerifyReal, RunningKernelVmlinux) {
  const std::string p = "/sys/kernel/btf/vmlinux";
  if (!exists(p)) BTFCHECK_SKIP("sysfs") << p << " absent (kernel without CONFIG_DEBUG_INFO_BTF)";
  const verify::Report r = verify_file(p, nullptr);
  EXPECT_TRUE(r.valid()) << dump(r);
  EXPECT_GT(r.types, 10000u);
  EXPECT_TRUE(verify_file(p, nullptr, verify::Options::kernel_builtin()).valid());
}

TEST(VerifyReal, CloudVmlinuxElf) {
  const std::string p = cloud_vmlinux();
  if (!exists(p)) BTFCHECK_SKIP("cloud") << "cloud vmlinux absent (set BTFCHECK_VMLINUX): " << p;
  const verify::Report r = verify_file(p, nullptr);
  EXPECT_TRUE(r.valid()) << dump(r);
  EXPECT_GT(r.types, 90000u);
}

TEST(VerifyReal, SysfsModulesAsSplit) {
  if (!exists("/sys/kernel/btf/vmlinux")) BTFCHECK_SKIP("sysfs") << "/sys/kernel/btf/vmlinux absent";
  auto base = btf::open_btf("/sys/kernel/btf/vmlinux");
  ASSERT_TRUE(base.ok());
  size_t n = 0;
  for (const auto& e : fs::directory_iterator("/sys/kernel/btf")) {
    if (e.path().filename() == "vmlinux" || n >= 20) continue;
    ++n;
    const verify::Report r = verify_file(e.path().string(), *base);
    EXPECT_TRUE(r.valid()) << e.path() << "\n" << dump(r);
  }
  if (n == 0) BTFCHECK_SKIP("sysfs-modules") << "no module BTF under /sys/kernel/btf (modules built in or none loaded)";
}

TEST(VerifyReal, CloudModulesAsSplit) {
  const std::string v = cloud_vmlinux();
  const auto mods = cloud_modules(40);
  if (!exists(v) || mods.empty())
    BTFCHECK_SKIP("cloud") << "no cloud modules (set BTFCHECK_MODULES_DIR to a tree of .ko files)";
  auto base = btf::open_btf(v);
  ASSERT_TRUE(base.ok());
  for (const std::string& m : mods) {
    const verify::Report r = verify_file(m, *base);
    EXPECT_TRUE(r.valid()) << m << "\n" << dump(r);
    EXPECT_GT(r.types, 0u) << m;
  }
}

// --- the command ---------------------------------------------------------------------------

struct CmdResult {
  int code = -1;
  std::string out;
};

CmdResult run(const std::string& args) {
  CmdResult r;
  const std::string cmd = std::string(BTFCHECK_BINARY) + " verify " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write_tmp(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = ::testing::TempDir() + "verify_cli_" + name;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                std::streamsize(bytes.size()));
  return path;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(exists(BTFCHECK_BINARY)) << "btfcheck binary not built: " << BTFCHECK_BINARY;
  }
};

TEST_F(Cli, ValidFileExitsZero) {
  const std::string f = write_tmp("ok.btf", all_kinds().b.bytes());
  const CmdResult r = run(f);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, f + ": OK, 33 types; Linux 6.18 (BPF_BTF_LOAD), target 64-bit little-endian (assumed: the BTF has no long; use --target)\n");
}

TEST_F(Cli, ViolationLinesAndSummary) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t t = b.add_typedef("t", i);
  Image img = b.build();
  img.set_header(HeaderField::Flags, 1);
  img.set_word(t, 0, 0);
  const std::string f = write_tmp("bad.btf", img.bytes);
  const CmdResult r = run(f);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, f + ": btf+0x3: Unsupported flags: 1 [hdr.flags]\n" + f +
                       ": btf+0x28: type [2] TYPEDEF '(anon)': Invalid name: name is required "
                       "[name.required]\n" +
                       f + ": 2 violation(s) in 2 types; Linux 6.18 (BPF_BTF_LOAD), target 64-bit little-endian (assumed: the BTF has no long; use --target)\n");
}

TEST_F(Cli, Json) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32);
  uint32_t s = b.add_struct("s\"q", 4, {{"a", i, 0}, {"b", i, 0}});
  Image img = b.build();
  img.set_word(s, 8, 64);
  const CmdResult r = run("--json " + write_tmp("bad.json.btf", img.bytes));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("\"valid\":false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"rule\":\"struct.member-offset\",\"type_id\":2,\"kind\":\"STRUCT\","
                       "\"name\":\"s\\\"q\",\"offset\":72,\"member\":1,"),
            std::string::npos)
      << r.out;
  const CmdResult ok = run("--json " + write_tmp("ok.json.btf", all_kinds().b.bytes()));
  EXPECT_EQ(ok.code, 0);
  EXPECT_NE(ok.out.find("\"types\":33,\"valid\":true,\"kernel\":\"6.18\",\"load\":\"user\","
                        "\"target\":{\"pointer_size\":8,\"byte_order\":\"little\",\"arch\":\"\","
                        "\"from\":\"assumed\"},\"violations\":[]}"),
            std::string::npos)
      << ok.out;
}

TEST_F(Cli, ArchiveAsOneBlobIsRejectedWithHint) {
  std::vector<uint8_t> two = all_kinds().b.bytes();
  while (two.size() % 8) two.push_back(0);
  const size_t second = two.size();
  const auto one = all_kinds().b.bytes();
  two.insert(two.end(), one.begin(), one.end());
  const std::string f = write_tmp("archive.btf", two);
  const CmdResult r = run(f);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("[archive.multiple]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("use --archive"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[sec.trailing]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("btf+0x" + [&] { char b[32]; snprintf(b, sizeof b, "%zx", second); return std::string(b); }() +
                       ": input holds 2"),
            std::string::npos)
      << r.out;
  const CmdResult a = run("--archive " + f);
  EXPECT_EQ(a.code, 0) << a.out;
  EXPECT_NE(a.out.find(f + ": archive#0: OK, 33 types"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find(f + ": archive#1: OK, 33 types"), std::string::npos) << a.out;
  const CmdResult j = run("--archive --json " + f);
  EXPECT_EQ(j.code, 0);
  EXPECT_EQ(j.out.rfind("{\"file\":", 0), 0u) << j.out;
  EXPECT_NE(j.out.find("\"valid\":true,\"members\":["), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("\"section\":\"archive#1\""), std::string::npos) << j.out;
}

TEST_F(Cli, ArchiveTrailingGarbage) {
  auto bytes = all_kinds().b.bytes();
  bytes.push_back(0x42);
  const CmdResult r = run("--archive " + write_tmp("trailing.btf", bytes));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("[archive.trailing]"), std::string::npos) << r.out;
}

TEST_F(Cli, SplitWithBaseAndKernelBuiltin) {
  AllKinds k = all_kinds();
  const Image base = k.b.build();
  auto parsed = base.parse();
  ASSERT_TRUE(parsed.ok());
  BtfBuilder s = BtfBuilder::split(**parsed);
  s.add_struct("m", 8, {{"x", k.td, 0}});
  s.add_ptr(4000);  // dangling: only the resolve pass sees it
  const std::string bf = write_tmp("base.btf", base.bytes), sf = write_tmp("split.btf", s.bytes());
  const CmdResult r = run("--base " + bf + " " + sf);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("[resolve.missing]"), std::string::npos) << r.out;
  const CmdResult kb = run("--kernel-builtin --base " + bf + " " + sf);
  EXPECT_EQ(kb.code, 0) << kb.out;
  EXPECT_EQ(kb.out, sf + ": OK, 2 types; Linux 6.18 (vmlinux/module), target 64-bit "
                        "little-endian (assumed: the BTF has no long; use --target)\n");
}

TEST_F(Cli, UsageAndIoErrorsExitTwo) {
  const std::string f = write_tmp("u.btf", all_kinds().b.bytes());
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("--bogus " + f).code, 2);
  EXPECT_EQ(run(f + " " + f).code, 2);
  EXPECT_EQ(run("--fixup=gcc " + f).code, 2);
  EXPECT_EQ(run("--fixup=libbpf " + f).code, 2);  // raw BTF: no ELF to take fixups from
  EXPECT_EQ(run("/nonexistent/file.btf").code, 2);
  EXPECT_EQ(run("--base /nonexistent " + f).code, 2);
  EXPECT_EQ(run("/bin/sh").code, 2);  // ELF without .BTF
  const CmdResult h = run("--help");
  EXPECT_EQ(h.code, 0);
  EXPECT_NE(h.out.find("resolve.loop"), std::string::npos);
  EXPECT_NE(h.out.find("--kernel-builtin"), std::string::npos);
  // The known releases and the changes between them.
  EXPECT_NE(h.out.find("known releases: 6.1, 6.2,"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("(default 6.18"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("tag.kflag"), std::string::npos) << h.out;
  EXPECT_EQ(run("--kernel 5.4 " + f).code, 2);
  EXPECT_EQ(run("--target 16le " + f).code, 2);
}

TEST_F(Cli, KernelReleaseIsJudgedAndNamed) {
  BtfBuilder b;
  uint32_t i = b.add_int("int", 4, 32, kIntSigned);
  b.add_struct("a.b", 4, {{"x", i, 0}});
  const std::string f = write_tmp("dots.btf", b.bytes());
  const CmdResult old = run("--kernel 6.1 " + f);
  EXPECT_EQ(old.code, 1) << old.out;
  EXPECT_NE(old.out.find("[name.invalid]"), std::string::npos) << old.out;
  EXPECT_NE(old.out.find("; Linux 6.1 (BPF_BTF_LOAD)"), std::string::npos) << old.out;
  const CmdResult stable = run("--kernel 6.1.36 --json " + f);
  EXPECT_EQ(stable.code, 0) << stable.out;
  EXPECT_NE(stable.out.find("\"kernel\":\"6.1.36\""), std::string::npos) << stable.out;
  const CmdResult dflt = run(f);
  EXPECT_EQ(dflt.code, 0) << dflt.out;
  EXPECT_NE(dflt.out.find("; Linux 6.18 (BPF_BTF_LOAD)"), std::string::npos) << dflt.out;
}

TEST_F(Cli, TargetFromOptionAndContradiction) {
  BtfBuilder b;
  uint32_t l = b.add_int("long int", 8, 64, kIntSigned);
  b.add_struct("s", 4, {{"p", b.add_ptr(l), 0}});   // a pointer in 4 bytes: a 32-bit target's
  const std::string f = write_tmp("ptr4.btf", b.bytes());
  const CmdResult as32 = run("--target 32le " + f);
  EXPECT_EQ(as32.code, 1) << as32.out;
  EXPECT_NE(as32.out.find("[target.mismatch]"), std::string::npos) << as32.out;
  const CmdResult own = run(f);   // its long says 8: the pointer does not fit
  EXPECT_EQ(own.code, 1) << own.out;
  EXPECT_NE(own.out.find("[struct.member-size]"), std::string::npos) << own.out;
  EXPECT_NE(own.out.find("from the BTF: sizeof(long) = 8"), std::string::npos) << own.out;
}

TEST_F(Cli, MalformedFramingIsAViolation) {
  const CmdResult r = run(write_tmp("garbage.btf", {0x9f, 0xeb, 1, 0, 0xff, 0xff, 0, 0, 1, 2}));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("[hdr.len]"), std::string::npos) << r.out;
}

// clang's object BTF leaves DATASEC sizes 0 (the kernel rejects it); libbpf's load-time
// fixups repair it.
TEST_F(Cli, FixupLibbpfOnClangObject) {
  if (std::system("command -v clang >/dev/null 2>&1") != 0) BTFCHECK_SKIP("clang") << "clang absent";
  const std::string dir = ::testing::TempDir();
  const std::string src = dir + "verify_cli_prog.c", obj = dir + "verify_cli_prog.o";
  std::ofstream(src) << "int g = 3; int h; const int ro = 7;\n"
                        "static int helper(int x) { return x + g; }\n"
                        "__attribute__((section(\"tc\"))) int prog(void *ctx) { h = helper(ro); return h; }\n"
                        "char _license[] __attribute__((section(\"license\"))) = \"GPL\";\n";
  if (std::system(("clang -target bpf -g -O2 -c " + src + " -o " + obj + " 2>/dev/null").c_str()) != 0)
    BTFCHECK_SKIP("clang") << "clang cannot build BPF objects here";
  const CmdResult raw = run(obj);
  EXPECT_EQ(raw.code, 1);
  EXPECT_NE(raw.out.find("DATASEC '.data': size == 0 [datasec.size]"), std::string::npos) << raw.out;
  const CmdResult fixed = run("--fixup=libbpf " + obj);
  EXPECT_EQ(fixed.code, 0) << fixed.out;
}

}  // namespace
}  // namespace btfcheck::testing
