// Kernel releases: which release's kernel/bpf/btf.c `verify --kernel X.Y` judges as.
//
// One table (releases.cc, sources there; the README prints it) lists every verifier change
// between Linux 6.1 and bpf-next 2026 that changes a verdict: the release that introduced
// it, the stable updates that took it earlier, the rule ids it moves, and what it does to
// Options. options_for(K) starts from the rules of
// 6.1.0 and applies every change K has, in table order; nothing else in the verifier knows
// release numbers. The default release is the newest known one (Options{} equals its
// options; a unit test holds them together).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "comparator/verify/verify.h"

namespace btfcheck::verify {

// A kernel version: release X.Y plus a stable update level Z (X.Y means X.Y.0), or bpf-next.
struct Kernel {
  uint32_t major = 0, minor = 0, patch = 0;
  bool next = false;
  std::string name() const;   // "6.18", "6.1.36", "next"
  // The ordering key: next after every numbered release.
  uint64_t key() const {
    return next ? ~uint64_t(0) : (uint64_t(major) << 40) | (uint64_t(minor) << 20) | patch;
  }
};

// `--kernel SPEC`: a known release "X.Y", "X.Y.Z" (a stable update; `uname -r` spellings
// such as "6.18.44-fc-v1272" too), or "next" / "bpf-next". nullopt (with `why`) for a
// release outside the table.
std::optional<Kernel> parse_kernel(std::string_view spec, std::string* why = nullptr);
// The newest release known (the default).
Kernel newest_kernel();
// "6.1, 6.2, ..., 6.18, next".
std::string known_kernels();

// One verdict-changing difference between releases.
struct Change {
  std::string_view id;        // "name.dots": stable, tests name it
  std::string_view since;     // first release with it: "6.4", ..., "next"
  std::string_view backport;  // earliest stable update of an older release with it ("6.1.36"), or ""
  std::string_view rules;     // rule ids whose verdicts move
  std::string_view load;      // "user" (BPF_BTF_LOAD only), "all" (vmlinux and modules too)
  std::string_view summary;   // what changed
  std::string_view source;    // commit or patch
  void (*apply)(Options&);    // turns the change on
};
std::span<const Change> changes();
// Whether kernel `k` has change `c` (its release, or a stable update carrying it).
bool has_change(const Kernel& k, const Change& c);

// The rules of kernel `k`: for a BTF loaded with BPF_BTF_LOAD, or (builtin) the vmlinux and
// module path (no resolve pass, no size cap, no type-section or layout checks).
Options options_for(const Kernel& k, bool builtin = false);

// The releases and changes as text for `verify --help` and the README.
std::string release_table();

}  // namespace btfcheck::verify
