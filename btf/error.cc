#include "btf/error.h"

#include <cstdio>

namespace btfcheck {

std::string Error::str() const {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!section.empty() || offset) {
    out += section.empty() ? std::string("offset") : section;
    if (offset) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "+0x%llx", static_cast<unsigned long long>(*offset));
      out += buf;
    }
    out += ": ";
  }
  if (type_id) out += "type [" + std::to_string(*type_id) + "] ";
  if (member) out += "member " + std::to_string(*member) + " ";
  if (type_id || member) out.back() = ':', out += ' ';
  out += message;
  if (!rule.empty()) out += " [" + rule + "]";
  return out;
}

Error file_error(std::string file, std::string rule, std::string message) {
  Error e;
  e.rule = std::move(rule);
  e.file = std::move(file);
  e.message = std::move(message);
  return e;
}

}  // namespace btfcheck
