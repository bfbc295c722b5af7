// diff: structural differences between two canonical graphs, as one change model that the
// reporters (text, JSON, markdown) render.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "canon/canon.h"

namespace btfcheck::diff {

struct Change {
  std::string category;   // added, removed, size, offset, bitfield, type, qualifier, name,
                          // member, enum-value, enumerator, signedness, encoding, linkage,
                          // param, return, array-length, decl-status, kind, datasec,
                          // indirect
  std::string kind;       // of the named type the path starts at: "struct", "func", ...
  std::string path;       // "struct sk_buff.(anon union@0).len"
  std::string before, after;             // rendered values ("" when absent)
  std::optional<int64_t> before_bits, after_bits;   // sizes and offsets in bits
  std::vector<std::string> impacts;      // leaf mode: named types that reach this one
  bool suppressed = false;
  std::string reason;                    // of the suppression that matched
  static Change of(std::string category, std::string kind, std::string path,
                   std::string before, std::string after) {
    Change c;
    c.category = std::move(category);
    c.kind = std::move(kind);
    c.path = std::move(path);
    c.before = std::move(before);
    c.after = std::move(after);
    return c;
  }
  int64_t delta() const { return after_bits.value_or(0) - before_bits.value_or(0); }
};

struct Options {
  bool leaf = false;    // report a change once, at the changed type, with what it impacts;
                        // otherwise also one "indirect" change per named type reaching it
};

struct Report {
  std::vector<Change> changes;                 // sorted by (path, category)
  std::map<std::string, size_t> summary;       // category -> count (unsuppressed)
  // The inputs' targets as JSON objects (btf::target_json), set by the caller; render_json
  // prints them as "target_a" / "target_b" when set.
  std::string target_a, target_b;
  size_t unsuppressed() const;
  size_t suppressed() const { return changes.size() - unsuppressed(); }
};

Report diff(const canon::Graph& a, const canon::Graph& b, const Options& opts = {});

// Reporters.
// One change as the text reporter prints it (without impacts): "CATEGORY PATH: BEFORE ->
// AFTER (bits ...)"; an added or removed type prints its key once, then its definition:
// "added struct foo := size=8 { ... }", "removed decl_tag("x", func f)".
std::string change_line(const Change& c);
std::string render_text(const Report& r);
std::string render_json(const Report& r, const std::string& a_name, const std::string& b_name);
std::string render_markdown(const Report& r, const std::string& a_name,
                            const std::string& b_name);

}  // namespace btfcheck::diff
