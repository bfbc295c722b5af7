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

}  // namespace btfcheck
