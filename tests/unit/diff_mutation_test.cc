// Mutation detection: random single-field semantic mutations (member offset, bitfield
// size, member type, member name, struct size, added/removed member, enum value, param
// type, linkage) of real kernel BTF each make the diff report a change at exactly the
// mutated path, with the expected category, and nothing else outside it (leaf mode). On
// the cloud vmlinux or the running kernel's BTF when present, and on every machine on a
// synthetic vmlinux-shaped BTF (bench/synth_btf.h).
#include <gtest/gtest.h>

#include <random>

#include "bench/synth_btf.h"
#include "btf/btf.h"
#include "canon/canon.h"
#include "comparator/diff/diff.h"
#include "tests/unit/btf_rewrite.h"
#include "tests/unit/test_inputs.h"
#include "tests/unit/require.h"

namespace btfcheck {
namespace {

void check_mutations(const btf::Btf& full) {
  std::mt19937_64 rng(2026);
  std::map<std::string, int> by_category;
  int done = 0, tries = 0;
  // Slices of the kernel BTF (closures of a few random structs) keep each diff fast.
  for (uint64_t slice_seed = 1; done < 1000 && slice_seed < 200; ++slice_seed) {
    auto s = btf::Btf::parse(testing::slice(full, slice_seed, 3), {});
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

TEST(DiffMutation, ThousandSingleFieldMutations) {
  std::string why;
  auto full = testing::open_real(testing::cloud_vmlinux_path(), why);
  if (!full) full = testing::open_real(testing::sysfs_vmlinux_path(), why);
  if (!full) BTFCHECK_SKIP("cloud|sysfs") << why;
  check_mutations(*full);
}

// Builder-only: the same thousand mutations on slices of a synthetic BTF, on every machine.
TEST(DiffMutation, ThousandSingleFieldMutationsSynthetic) {
  auto full = btf::Btf::parse(bench::make_synthetic_btf({.groups = 3000}).bytes, {});
  ASSERT_TRUE(full.ok()) << full.error().str();
  check_mutations(**full);
}

}  // namespace
}  // namespace btfcheck
