// dups: what deduplication left behind in one BTF.
//   - copies: equivalence classes with more than one type id (structurally equal types
//     that dedup did not merge);
//   - families: different types that share kind and name, each pair explained by the first
//     field that keeps them apart (the diff walk between the two).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "canon/canon.h"
#include "comparator/diff/diff.h"

namespace btfcheck::diff {

struct CopyClass {
  std::string key;                 // canonical name or expression
  std::vector<uint32_t> ids;       // type ids, ascending
  // For forward declarations: why they were not unified with a definition ("4 different
  // definitions of struct sched_class", "no definition of struct foo"); else empty.
  std::string note;
};

struct Family {
  std::string name;                // "struct sched_class"
  std::vector<std::string> keys;   // the members' keys, sorted
  std::vector<std::vector<uint32_t>> ids;   // type ids per member
  // For each member after the first: the first change from member 0 to it.
  std::vector<Change> first_difference;
};

struct Dups {
  std::vector<CopyClass> copies;   // sorted by key
  std::vector<Family> families;    // sorted by name
};

Dups find_dups(const canon::Graph& g);
std::string render_dups_text(const Dups& d);
std::string render_dups_json(const Dups& d, const std::string& file);

}  // namespace btfcheck::diff
