// Archive merge: a BTF archive (per-object BTF blobs concatenated, as `ld -r` leaves the
// .BTF sections of objects compiled with -gbtf or encoded with `pahole -J`) merged into one
// BTF the way libbpf users do it: every member added in member order with btf__add_btf,
// then one btf__dedup.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"
#include "encoder/archive/sanitize.h"

namespace btfcheck::archive {

struct Stats {
  size_t members = 0;
  uint64_t input_bytes = 0;     // the whole archive
  uint32_t types_before = 0;    // sum of the members' own types
  uint32_t types_after = 0;     // after dedup
  uint64_t bytes_before = 0;    // raw BTF of the merged, not yet deduplicated BTF
  uint64_t bytes_after = 0;
  double add_s = 0, dedup_s = 0;   // canonical: parse+model, refine+emit(+sanitize)
  double sanitize_s = 0;            // canonical only
  uint32_t premerge_mapped = 0;     // canonical: types mapped onto an earlier member's copy
  uint32_t premerge_kept = 0;       // canonical: types left for refinement
  uint32_t premerge_retries = 0;    // canonical: 1 when a speculation failed and the merge
                                    // was redone without the pre-merge
  bool sanitized = false;           // canonical: the sanitize step ran (stats below)
  SanitizeStats sanitize;
};

struct Merged {
  std::vector<uint8_t> bytes;   // raw BTF (split on `base` when one is given)
  Stats stats;
};

// Merges the archive bytes (a plain blob is an archive of one member) of `file` (named in
// errors). `base`: the base BTF every member is split on (modules), or nullptr.
Result<Merged> merge_libbpf(std::span<const uint8_t> archive, const std::string& file,
                            const std::string& section,
                            std::shared_ptr<const btf::Btf> base = nullptr);

// Opens a BTF the way a loader of compiler output sees it: a raw file or an ELF's .BTF,
// and when that holds an archive of several blobs, their libbpf merge. `members` (if
// given) receives the archive's member count.
Result<std::shared_ptr<const btf::Btf>> open_merged(const std::string& path,
                                                    std::shared_ptr<const btf::Btf> base,
                                                    size_t* members = nullptr);

// What the canonical merge could not decide and left as it was.
struct Ambiguities {
  // "struct sched_class: 4 definitions" — forwards left unresolved because their name has
  // several different definitions even after minimization.
  std::vector<std::string> forwards;
  // "func foo: 2 prototypes" — FUNCs of one name with different prototypes (kept apart).
  std::vector<std::string> funcs;
};

// The canonical merge: every member's types in one canonical graph (canon:
// partition refinement, cycle-aware, decided globally rather than greedily), forwards
// unified with the definition of their name whenever that is unambiguous after
// minimization (repeated to a fixpoint), then one type per class, in order of first
// appearance. Two types are merged only when they are structurally equal (a bisimulation);
// same-named different types stay apart. FUNCs of one name and equal prototype become one;
// VARs likewise; DATASECs are kept per member unless identical. Deterministic: the output
// depends only on the input bytes.
//
// `rules`: normalization rules applied before deciding equality, limited to those under
// which every merged record is still faithful C (Error rule "usage.rule" otherwise):
// "param-names" (prototypes differing only in parameter names merge; gcc -gbtf names the
// parameters of a prototype in one object and not in another; the output keeps the copy
// with the most names), "type-tag-order" (const volatile = volatile const), "fwd-kind"
// (gcc 12's struct FWD for an incomplete enum stands for the enum).
//
// `sanitize` (default on): the merged BTF then goes through sanitize() (sanitize.h), which
// drops or fixes, per documented reason, what per-object compiler BTF carries and the
// kernel rejects (unlinked DATASECs, unnamed FUNCs, ...), so the output passes `verify`.
// `jobs`: threads for parsing and modelling the members (0 = hardware threads); the output
// is the same bytes for every value. `premerge` (default on; premerge.h): map each member's
// types onto earlier members' copies before refinement; off gives the same bytes, slower
// (tests compare the two).
struct CanonicalOptions {
  std::vector<std::string> rules;
  bool sanitize = true;
  unsigned jobs = 0;
  bool premerge = true;
};
Result<Merged> merge_canonical(std::span<const uint8_t> archive, const std::string& file,
                               const std::string& section, std::shared_ptr<const btf::Btf> base,
                               Ambiguities* ambiguities, const CanonicalOptions& options);
inline Result<Merged> merge_canonical(std::span<const uint8_t> archive, const std::string& file,
                                      const std::string& section,
                                      std::shared_ptr<const btf::Btf> base = nullptr,
                                      Ambiguities* ambiguities = nullptr,
                                      const std::vector<std::string>& rules = {}) {
  return merge_canonical(archive, file, section, std::move(base), ambiguities,
                         CanonicalOptions{rules, true, 0});
}

}  // namespace btfcheck::archive
