// The matrix's encoding cache (what its key covers; a hit reuses output and figures without
// running the tool) and the compact size breakdown the matrix records.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "matrix/cache.h"
#include "matrix/matrix.h"

namespace btfcheck::matrix {
namespace {

namespace fs = std::filesystem;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("btfcheck-cache-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bin");
    // A fake pahole: writes its -j argument as the BTF and counts its runs.
    tool_ = write_tool(dir_ / "bin/pahole");
    std::ofstream(dir_ / "vmlinux") << "not really an ELF";
    in_.name = "vmlinux";
    in_.elf = (dir_ / "vmlinux").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_tool(const fs::path& p, const std::string& extra = "") {
    std::ofstream(p) << "#!/bin/sh\n# fake pahole" << extra << "\n"
                     << "echo run >> " << (dir_ / "runs").string() << "\n"
                     << "for a; do case $a in --btf_encode_detached=*) printf '%s' \"$*\" > \"${a#*=}\";; esac; done\n";
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
  }

  producers::Producer pahole(const std::string& tool) {
    producers::Producer p;
    p.name = "pahole";
    p.family = "pahole";
    p.tool = tool;
    p.version = "v1.31";
    p.takes_jobs = true;
    return p;
  }

  size_t runs() {
    std::ifstream in(dir_ / "runs");
    size_t n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  }

  fs::path dir_;
  std::string tool_;
  producers::Input in_;
};

TEST_F(CacheTest, KeyCoversRecipeToolAndInput) {
  EncodingCache c((dir_ / "cache").string());
  producers::Config cfg;
  const std::string k = c.key(pahole(tool_), in_, cfg, 2);
  ASSERT_EQ(k.size(), 64u);
  EXPECT_EQ(EncodingCache((dir_ / "cache").string()).key(pahole(tool_), in_, cfg, 2), k);
  EXPECT_NE(c.key(pahole(tool_), in_, cfg, 1), k);                       // -jN
  producers::Config flags = cfg;
  flags.pahole_flags = {"--btf_features=default"};
  EXPECT_NE(c.key(pahole(tool_), in_, flags, 2), k);                     // flags
  // The same bytes elsewhere are the same tool; other bytes, or a library beside it, are not.
  fs::create_directories(dir_ / "copy");
  fs::copy_file(tool_, dir_ / "copy/pahole");
  EXPECT_EQ(EncodingCache("x").key(pahole((dir_ / "copy/pahole").string()), in_, cfg, 2), k);
  std::ofstream(dir_ / "copy/libdwarves.so.1") << "library";
  EXPECT_NE(EncodingCache("x").key(pahole((dir_ / "copy/pahole").string()), in_, cfg, 2), k);
  EXPECT_NE(EncodingCache("x").key(pahole(write_tool(dir_ / "bin/other", " v2")), in_, cfg, 2), k);
  // The input by path, size and modification time.
  producers::Input base_too = in_;
  base_too.base = in_.elf;
  EXPECT_NE(c.key(pahole(tool_), base_too, cfg, 2), k);
  struct timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, in_.elf.c_str(), times, 0), 0);
  EXPECT_NE(c.key(pahole(tool_), in_, cfg, 2), k);
  // Not cacheable: C inputs, no cache directory.
  producers::Input c_case;
  c_case.name = "floats";
  c_case.sources = {"floats.c"};
  EXPECT_EQ(c.key(pahole(tool_), c_case, cfg, 2), "");
  EXPECT_EQ(EncodingCache("").key(pahole(tool_), in_, cfg, 2), "");
}

TEST_F(CacheTest, HitReusesOutputAndFiguresWithoutRunningTheTool) {
  EncodingCache c((dir_ / "cache").string());
  producers::Config cfg;
  bool hit = true;
  auto first = c.produce(pahole(tool_), in_, cfg, (dir_ / "w1").string(), 2, &hit);
  ASSERT_TRUE(first.ok()) << first.error().str();
  EXPECT_FALSE(hit);
  EXPECT_EQ(runs(), 1u);
  // A hit marks the entry used: its meta.json's modification time becomes the hit's.
  const fs::path meta = dir_ / "cache" / c.key(pahole(tool_), in_, cfg, 2) / "meta.json";
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(48);
  fs::last_write_time(meta, old);
  auto second = c.produce(pahole(tool_), in_, cfg, (dir_ / "w2").string(), 2, &hit);
  ASSERT_TRUE(second.ok()) << second.error().str();
  EXPECT_TRUE(hit);
  EXPECT_EQ(runs(), 1u) << "a hit runs nothing";
  EXPECT_GT(fs::last_write_time(meta), old + std::chrono::hours(47));
  EXPECT_EQ(second->btf_path, (dir_ / "w2/out.btf").string());
  auto read = [](const std::string& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  EXPECT_EQ(read(second->btf_path), read(first->btf_path));
  EXPECT_NE(read(first->btf_path).find("-j2"), std::string::npos);
  EXPECT_DOUBLE_EQ(second->wall_s, first->wall_s);
  EXPECT_EQ(second->peak_rss_kb, first->peak_rss_kb);
  // Another -j is another entry.
  ASSERT_TRUE(c.produce(pahole(tool_), in_, cfg, (dir_ / "w3").string(), 1, &hit).ok());
  EXPECT_FALSE(hit);
  EXPECT_EQ(runs(), 2u);
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "cache")) entries += e.is_directory();
  EXPECT_EQ(entries, 2u) << "no temporary directory is left behind";
}

TEST(SizeBreakdownJson, KeepsTheLargestFamiliesAndSumsTheRest) {
  size::Breakdown b;
  b.total = 1000;
  b.kinds = {{"header", 24}, {"STRUCT", 976}};
  for (int i = 0; i < 5; ++i) b.families["f" + std::to_string(i)] = 100 * (i + 1);   // f4 largest
  b.families["header"] = 24;
  const nlohmann::json j = size_breakdown_json(b, 3);
  EXPECT_EQ(j["bytes"], 1000);
  EXPECT_EQ(j["family_count"], 6);
  EXPECT_EQ(j["families"], (nlohmann::json{{"f4", 500}, {"f3", 400}, {"f2", 300}, {kRestFamily, 324}}));
  EXPECT_EQ(j["kinds"]["STRUCT"], 976);
  EXPECT_FALSE(size_breakdown_json(b, 10)["families"].contains(kRestFamily));
}

}  // namespace
}  // namespace btfcheck::matrix
