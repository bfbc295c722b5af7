// Array shapes for the array-flatten rule (canon/rules.h; set on the model as
// arrays_by_shape). pahole flattens a multi-dimensional array into one ARRAY of all its
// elements; compilers nest one ARRAY per dimension, outermost first, sometimes through
// array typedefs. Comparing shapes instead of ARRAY nodes lets a flat array equal a nested
// one of as many elements, while two nestings must agree dimension by dimension (gcc 12
// nests int m[3][4][5] as 5 of 4 of 3: a difference, not a spelling).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "canon/canon.h"

namespace btfcheck::diff {

struct ArrayShape {
  std::vector<uint64_t> dims;     // element counts, outermost first
  std::vector<uint32_t> index;    // index class of each dimension
  uint32_t element = 0;           // the innermost element class (not an array)
  uint64_t count() const;         // product of dims, saturating at UINT64_MAX
};

// Follows class c through nested ARRAYs and through TYPEDEFs that name an array (at most
// 64 steps each, so malformed cyclic input terminates). c must be an ARRAY class.
ArrayShape array_shape(const canon::Graph& g, uint32_t c);

// "ELEMENT[d0][d1]...", ELEMENT as the graph prints a reference to it: int[3][4][5].
std::string shape_text(const canon::Graph& g, const ArrayShape& s);

enum class ShapeMatch {
  Equal,    // same dimensions, or one side one-dimensional with as many elements
  Length,   // one side one-dimensional, element counts differ
  Nesting,  // both nested, dimensions differ (in order or in value)
};
ShapeMatch match_shapes(const ArrayShape& a, const ArrayShape& b);

// An array as it is reached from an anonymous type: through pointers, modifiers and type
// tags (`wrap`, outermost first, e.g. "ptr const ") down to its shape. Empty wrap for an
// ARRAY class itself; nullopt when c does not end at an array that way.
struct WrappedShape {
  std::string wrap;
  ArrayShape shape;
};
std::optional<WrappedShape> wrapped_shape(const canon::Graph& g, uint32_t c);

// The wrapped shapes of every class of a graph that ends at an array, keyed by wrap,
// element reference and element count, to ask whether a wrapped shape of another graph
// matches one of them (an unreferenced anonymous array, or pointer to one, on one side that
// the other side has in its own nesting: gcc's ptr(u64[2][3][7]) and pahole's ptr(u64[42])).
class ShapeIndex {
 public:
  explicit ShapeIndex(const canon::Graph& g);
  // s is a wrapped shape of graph `of`.
  bool contains(const canon::Graph& of, const WrappedShape& s) const;

 private:
  using Key = std::tuple<std::string, std::string, uint64_t>;   // wrap, element, count
  std::map<Key, std::vector<std::vector<uint64_t>>> dims_;
};

}  // namespace btfcheck::diff
