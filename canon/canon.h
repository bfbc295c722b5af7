// canon: the canonical, ID-free graph of a BTF, its text form and its digests.
//
//   Graph g = canon::build(btf);          // model -> rules -> partition -> names
//   canon::text(g)                        // one sorted line per named type
//   canon::graph_digest(g)                // one digest for the whole graph
//
// Two BTFs that differ only in type ids, type order, string-table layout or duplicate
// copies of types give the same text and digests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "canon/model.h"
#include "canon/partition.h"

namespace btfcheck::canon {

struct Options {
  // Normalization rules are applied to the model before refinement (rules.h). Empty =
  // strict.
  std::vector<std::string> rules;
};

struct Graph {
  Model model;
  Partition part;
  // Per class:
  std::vector<uint8_t> named;        // identified by (kind, name)
  std::vector<std::string> key;      // named: "struct foo", "typedef u32", "#xxxxxxxx" suffix
                                     // when several different types share kind and name
  std::vector<uint64_t> digest;      // structural digest (see names.cc)
  std::vector<std::string> expr;     // how a reference to the class is printed
  std::vector<uint32_t> tops;        // classes that get a line of their own (class order;
                                     // sorted_tops() gives the printed order)
};

Graph build(const btf::Btf& btf, const Options& opts = {});

// The representative node of a class, and the class its i-th edge leads to.
const Node& rep_node(const Graph& g, uint32_t c);
uint32_t succ(const Graph& g, uint32_t c, size_t i);

// `tops` in printing order: by key, decl-tag expression, "anon := expr", then digest.
std::vector<uint32_t> sorted_tops(const Graph& g);

// The canonical line of a class: "KEY := DEFINITION" for named classes, the expression
// for decl tags, "anon := EXPR" for unreferenced anonymous types.
std::string line(const Graph& g, uint32_t c);

// Deterministic text: one line per named type / decl tag / unreferenced anonymous type,
// sorted; references by canonical name.
std::string text(const Graph& g);

uint64_t graph_digest(const Graph& g);
std::string hex64(uint64_t v);

}  // namespace btfcheck::canon
