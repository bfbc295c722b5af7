// Reading corpora/manifest.json (see corpora/README.md for its fields).
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "encoder/producers/producers.h"

namespace btfcheck::producers {

Result<std::vector<Input>> corpus(const std::string& dir) {
  const std::string path = dir + "/manifest.json";
  std::ifstream f(path);
  if (!f) {
    Error e;
    e.rule = "io.open";
    e.message = "cannot read the corpus manifest";
    e.file = path;
    return e;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("cases") || !j["cases"].is_array()) {
    Error e;
    e.rule = "manifest.syntax";
    e.message = "not a JSON object with a \"cases\" array";
    e.file = path;
    return e;
  }
  std::vector<Input> out;
  for (const auto& c : j["cases"]) {
    if (!c.is_object() || !c.contains("name") || !c.contains("source") ||
        !c["name"].is_string() || !c["source"].is_string()) {
      Error e;
      e.rule = "manifest.case";
      e.message = "a case without string \"name\" and \"source\"";
      e.file = path;
      return e;
    }
    Input in;
    in.name = c["name"];
    in.sources.push_back(dir + "/" + c["source"].get<std::string>());
    if (c.contains("extra_sources") && c["extra_sources"].is_array())
      for (const auto& s : c["extra_sources"])
        if (s.is_string()) in.sources.push_back(dir + "/" + s.get<std::string>());
    if (c.contains("producers") && c["producers"].is_array())
      for (const auto& p : c["producers"])
        if (p.is_string()) in.producers.push_back(p);
    if (c.contains("not_applicable") && c["not_applicable"].is_object())
      for (const auto& [k, v] : c["not_applicable"].items())
        if (v.is_string()) in.not_applicable[k] = v;
    if (c.contains("feature") && c["feature"].is_string()) in.feature = c["feature"];
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace btfcheck::producers
