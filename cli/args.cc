#include "cli/args.h"

#include "btf/load.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace btfcheck::cli {

Args::Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
  auto find = [&](const std::string& n) -> const OptionSpec* {
    for (const OptionSpec& s : specs)
      if (s.name == n || (!s.alias.empty() && s.alias == n)) return &s;
    return nullptr;
  };
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-' || a == "-") {
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      help_ = true;
      continue;
    }
    std::string name = a, val;
    bool inline_val = false;
    if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
      name = a.substr(0, eq);
      val = a.substr(eq + 1);
      inline_val = true;
    }
    const OptionSpec* s = find(name);
    if (!s && a[1] != '-' && a.size() > 2) {   // "-j4", "-oOUT": a short option and its value
      if (const OptionSpec* shrt = find(a.substr(0, 2)); shrt && shrt->takes_value) {
        s = shrt;
        val = a.substr(2);
        inline_val = true;
      }
    }
    if (!s) {
      error_ = "unknown option " + name;
      return;
    }
    if (!s->takes_value) {
      if (inline_val) {
        error_ = "option " + name + " takes no value";
        return;
      }
      flags_.insert(s->name);
      continue;
    }
    if (!inline_val) {
      if (i + 1 >= argv.size()) {
        error_ = "option " + name + " needs a value";
        return;
      }
      val = argv[++i];
    }
    values_[s->name] = val;
  }
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string usage_text(const std::string& cmd, const std::string& synopsis,
                       const std::string& summary, const std::vector<OptionSpec>& specs) {
  std::string out = "usage: btfcheck " + cmd + " " + synopsis + "\n\n" + summary + "\n";
  if (!specs.empty()) out += "\noptions:\n";
  for (const OptionSpec& s : specs) {
    std::string left = "  " + s.name + (s.alias.empty() ? "" : ", " + s.alias) +
                       (s.takes_value ? " " + s.value_name : "");
    if (left.size() < 24) left.resize(24, ' ');
    else left += "  ";
    out += left + s.help + "\n";
  }
  out += "  -h, --help              this text\n";
  return out;
}

std::optional<int> help_or_error(const Args& args, const std::string& cmd,
                                 const std::string& synopsis, const std::string& summary,
                                 const std::vector<OptionSpec>& specs,
                                 const std::string& epilogue) {
  if (args.help()) {
    std::fputs((usage_text(cmd, synopsis, summary, specs) + epilogue).c_str(), stdout);
    return kExitOk;
  }
  if (!args.error().empty()) {
    std::fprintf(stderr, "btfcheck %s: %s\n", cmd.c_str(), args.error().c_str());
    return kExitError;
  }
  return std::nullopt;
}

OptionSpec output_spec(const std::string& help) { return {"-o", true, help, "OUT", "--output"}; }

OptionSpec jobs_spec(const std::string& help) { return {"-j", true, help, "N", "--jobs"}; }

OptionSpec json_spec(const std::string& help) { return {"--json", false, help}; }

OptionSpec base_spec(const std::string& help) { return {"--base", true, help, "B"}; }

std::optional<unsigned> jobs_option(const Args& args, const std::string& cmd, unsigned dflt) {
  const auto j = args.value("-j");
  if (!j) return dflt;
  char* end = nullptr;
  const unsigned long n = std::strtoul(j->c_str(), &end, 10);
  if (j->empty() || *end || (*j)[0] == '-' || n > 1024) {
    std::fprintf(stderr, "btfcheck %s: -j wants a thread count from 0 to 1024 (0: all hardware "
                 "threads), got '%s'\n", cmd.c_str(), j->c_str());
    return std::nullopt;
  }
  return unsigned(n);
}

std::optional<std::string> format_option(const Args& args, const std::string& cmd,
                                         const std::vector<std::string>& known,
                                         const std::string& dflt) {
  const std::string f = args.value_or("--format", args.has("--json") ? "json" : dflt);
  std::string list;
  bool ok = false;
  for (const std::string& k : known) {
    list += (list.empty() ? "" : ", ") + k;
    ok |= k == f;
  }
  if (!ok) {
    std::fprintf(stderr, "btfcheck %s: unknown --format '%s' (%s)\n", cmd.c_str(), f.c_str(), list.c_str());
    return std::nullopt;
  }
  if (args.has("--json") && f != "json") {
    std::fprintf(stderr, "btfcheck %s: --json conflicts with --format %s\n", cmd.c_str(), f.c_str());
    return std::nullopt;
  }
  return f;
}

int emit_output(const Args& args, const std::string& cmd, const std::string& content) {
  if (std::string err = write_output(args.value_or("-o", "-"), content); !err.empty()) {
    std::fprintf(stderr, "btfcheck %s: %s\n", cmd.c_str(), err.c_str());
    return kExitError;
  }
  return kExitOk;
}

std::string write_output(const std::string& path, const std::string& content) {
  if (path == "-") {
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size())
      return "writing stdout failed";
    std::fflush(stdout);
    return "";
  }
  return btf::write_file(path, {reinterpret_cast<const uint8_t*>(content.data()), content.size()});
}

}  // namespace btfcheck::cli
