// The malformed-input suite's output: files in one directory plus manifest.json, which
// tells tests/e2e/test_malformed.py what each file is and what to expect of it.
//
// manifest.json: {"files": [Entry...], "rules": [every verifier rule id], "valid": NAME}
//   name      file name in the directory
//   group     family (rule, truncate, header, elf, archive, vlen, loop, chain, string,
//             split, misc, synth); the test picks the subcommands to run by group and tier
//   input     "btf" (raw blob), "elf" (an ELF file) or "archive" (concatenated blobs)
//   tier      "all" (small: every subcommand), "deep" (100k-long chains: every BTF
//             subcommand), "huge" (1M types or 16 MiB: only the commands that matter)
//   rule      a verifier rule `btfcheck verify FILE --json` must report ("" none asserted);
//             for input "archive": what `verify --archive` reports (archive.multiple: what
//             plain verify reports while --archive finds every member clean)
//   type_id   the type id that rule names (-1: not asserted)
//   base      file name of the base to pass with --base ("" none)
//   expect    "valid": verify must exit 0; "invalid": verify must exit 1; "" anything defined
//   dwarf     "none", "garbage" or "" (not an ELF): what encode dwarf / verify --dwarf see
//   note      what the file is, for humans
//   kernel    the release verify judges the file as (`--kernel`, "" the default): the rules
//             only bpf-next has (layout.*) are asserted there
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace btfcheck::malformed {

struct Entry {
  std::string name;
  std::string group;
  std::string input = "btf";
  std::string tier = "all";
  std::string rule;
  int64_t type_id = -1;
  std::string base;
  std::string expect;
  std::string dwarf;
  std::string note;
  std::string kernel;
};

class Suite {
 public:
  explicit Suite(std::string dir) : dir_(std::move(dir)) {}
  // Writes `bytes` as dir/e.name and records the entry (a duplicate name is a bug: abort).
  void add(Entry e, const std::vector<uint8_t>& bytes);
  // Records an entry for a file already written (the same bytes under another role).
  void alias(Entry e);
  void write_manifest(const std::vector<std::string>& rules, const std::string& valid) const;
  size_t size() const { return entries_.size(); }

 private:
  std::string dir_;
  std::vector<Entry> entries_;
};

// Generators, one per family (shapes.cc: vlen, loop, chain, string, synth; the rest in
// make_malformed.cc).
void add_vlen(Suite& s);
void add_loops(Suite& s);
void add_chains(Suite& s);
void add_strings(Suite& s);
void add_synth(Suite& s);
// modern.cc: contradictory targets, layout sections, distilled bases (.BTF.base).
void add_modern(Suite& s);

}  // namespace btfcheck::malformed
