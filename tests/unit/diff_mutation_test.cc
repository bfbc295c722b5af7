// Mutation detection: random single-field semantic mutations (member offset, bitfield
// size, member type, member name, struct size, added/removed member, enum value, param
// type, linkage) of real kernel BTF each make the diff report a change at exactly the
// mutated path, with the expected category, and nothing else outside it (leaf mode).
#include <gtest/gtest.h>

#include <random>

#include "btf/btf.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "tests/unit/btf_rewrite.h"
#include "tests/unit/test_inputs.h"
#include "tests/unit/require.h"

namespace btfcheck {
namespace {

TEST(DiffMutation, ThousandSingleFieldMutations) {
  std::string why;
  auto full = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!full) full = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!full) BTFCHECK_SKIP("cloud|sysfs") << why;
  std::mt19937_64 rng(2026);
  std::map<std::string, int> by_category;
  int done = 0, tries = 0;
  // Slices of the kernel BTF (closures of a few random structs) keep each diff fast.
  for (uint64_t slice_seed = 1; done < 1000 && slice_seed < 200; ++slice_seed) {
    auto s = btf::Btf::parse(testing::slice(*full, slice_seed, 3), {});
    ASSERT_TRUE(s.ok());
    const btf::Btf& base = **s;
    const canon::Graph ga = canon::build(base);
    for (int k = 0; k < 50 && done < 1000; ++tries) {
      auto m = testing::mutate(base, rng);
      if (!m) {
        if (tries > 200000) FAIL() << "could not find enough mutable types";
        continue;
      }
      ++k;
      auto mb = btf::Btf::parse(std::move(m->bytes), {});
      ASSERT_TRUE(mb.ok()) << mb.error().str();
      const canon::Graph gb = canon::build(**mb);
      diff::Options o;
      o.leaf = true;
      const diff::Report r = diff::diff(ga, gb, o);
      ASSERT_GT(r.unsuppressed(), 0u) << "mutation not detected: " << m->category << " at " << m->path;
      bool found = false;
      for (const diff::Change& c : r.changes) {
        found |= c.path == m->path && c.category == m->category;
        EXPECT_EQ(c.path.rfind(m->path.substr(0, m->path.find('.')), 0), 0u)
            << "change outside the mutated type: " << c.category << " " << c.path
            << " (mutated " << m->path << ")";
      }
      EXPECT_TRUE(found) << "expected " << m->category << " at " << m->path << ", got:\n"
                         << diff::render_text(r);
      ++by_category[m->category];
      ++done;
    }
  }
  EXPECT_EQ(done, 1000);
  for (const char* cat : {"offset", "bitfield", "type", "name", "size", "member", "enum-value",
                          "param", "linkage"})
    EXPECT_GT(by_category[cat], 0) << "no mutation of category " << cat;
}

}  // namespace
}  // namespace btfcheck
