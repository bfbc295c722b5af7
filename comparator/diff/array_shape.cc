// See array_shape.h.
#include "comparator/diff/array_shape.h"

namespace btfcheck::diff {
namespace {

constexpr int kMaxSteps = 64;

// The class a typedef chain starting at c ends at (c itself when c is no typedef).
uint32_t through_typedefs(const canon::Graph& g, uint32_t c) {
  for (int i = 0; i < kMaxSteps && canon::rep_node(g, c).kind == canon::Kind::Typedef; ++i)
    c = canon::succ(g, c, 0);
  return c;
}

}  // namespace

uint64_t ArrayShape::count() const {
  uint64_t n = 1;
  for (uint64_t d : dims)
    if (__builtin_mul_overflow(n, d, &n)) return UINT64_MAX;
  return n;
}

ArrayShape array_shape(const canon::Graph& g, uint32_t c) {
  ArrayShape s;
  for (int i = 0; i < kMaxSteps; ++i) {
    s.dims.push_back(canon::rep_node(g, c).size);
    s.index.push_back(canon::succ(g, c, 1));
    s.element = canon::succ(g, c, 0);
    const uint32_t inner = through_typedefs(g, s.element);
    if (canon::rep_node(g, inner).kind != canon::Kind::Array) break;
    c = inner;
  }
  return s;
}

std::string shape_text(const canon::Graph& g, const ArrayShape& s) {
  std::string out = g.expr[s.element];
  for (uint64_t d : s.dims) out += "[" + std::to_string(d) + "]";
  return out;
}

ShapeMatch match_shapes(const ArrayShape& a, const ArrayShape& b) {
  if (a.dims == b.dims) return ShapeMatch::Equal;
  if (a.dims.size() == 1 || b.dims.size() == 1)
    return a.count() == b.count() ? ShapeMatch::Equal : ShapeMatch::Length;
  return ShapeMatch::Nesting;
}

std::optional<WrappedShape> wrapped_shape(const canon::Graph& g, uint32_t c) {
  WrappedShape w;
  for (int i = 0; i < kMaxSteps; ++i) {
    const canon::Node& n = canon::rep_node(g, c);
    switch (n.kind) {
      case canon::Kind::Array:
        w.shape = array_shape(g, c);
        return w;
      case canon::Kind::Ptr: w.wrap += "ptr "; break;
      case canon::Kind::Const: w.wrap += "const "; break;
      case canon::Kind::Volatile: w.wrap += "volatile "; break;
      case canon::Kind::Restrict: w.wrap += "restrict "; break;
      case canon::Kind::TypeTag: w.wrap += (n.x ? "type_attr(" : "type_tag(") + n.name + ") "; break;
      default: return std::nullopt;
    }
    c = canon::succ(g, c, 0);
  }
  return std::nullopt;
}

ShapeIndex::ShapeIndex(const canon::Graph& g) {
  for (uint32_t c = 0; c < g.part.count(); ++c)
    if (auto w = wrapped_shape(g, c))
      dims_[{w->wrap, g.expr[w->shape.element], w->shape.count()}].push_back(
          std::move(w->shape.dims));
}

bool ShapeIndex::contains(const canon::Graph& of, const WrappedShape& s) const {
  auto it = dims_.find({s.wrap, of.expr[s.shape.element], s.shape.count()});
  if (it == dims_.end()) return false;
  for (const auto& d : it->second)   // equal count: equal when equal or one side flat
    if (match_shapes(ArrayShape{d, {}, 0}, s.shape) == ShapeMatch::Equal) return true;
  return false;
}

}  // namespace btfcheck::diff
