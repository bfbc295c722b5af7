// The encoding cache (cache.h). Keys hash a text description of the recipe, the tool and the
// input, one "name=value" line each, so what a key covers can be read in one place.
#include "matrix/cache.h"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

namespace btfcheck::matrix {
namespace {

namespace fs = std::filesystem;

using Md = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string hex(const unsigned char* d, unsigned n) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s += kHex[d[i] >> 4];
    s += kHex[d[i] & 15];
  }
  return s;
}

std::string sha256_text(const std::string& text) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(text.data(), text.size(), d, &n, EVP_sha256(), nullptr);
  return hex(d, n);
}

// "path size mtime_ns" of a file (its real path), or "path (missing)".
std::string stat_line(const std::string& path) {
  std::error_code ec;
  const fs::path real = fs::canonical(path, ec);
  struct stat st {};
  if (ec || ::stat(real.c_str(), &st) != 0) return path + " (missing)";
  return real.string() + " " + std::to_string(st.st_size) + " " +
         std::to_string(int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

}  // namespace

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  Md ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return "";
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), std::streamsize(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), size_t(in.gcount()));
  }
  if (in.bad()) return "";
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(ctx.get(), d, &n);
  return hex(d, n);
}

std::string EncodingCache::tool_identity(const producers::Producer& p) {
  if (auto it = tools_.find(p.tool); it != tools_.end()) return it->second;
  // By content, not by path: the same build (or wrapper script) elsewhere is the same tool.
  std::string id = "tool=" + file_sha256(p.tool) + "\nversion=" + p.version + "\n";
  // Shared libraries beside the tool (a build tree), in name order.
  std::error_code ec;
  std::vector<std::string> libs;
  for (const auto& e : fs::directory_iterator(fs::path(p.tool).parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (name.find(".so") != std::string::npos && e.is_regular_file(ec)) libs.push_back(e.path().string());
  }
  std::sort(libs.begin(), libs.end());
  for (const auto& l : libs) id += "lib=" + fs::path(l).filename().string() + " " + file_sha256(l) + "\n";
  return tools_[p.tool] = id;
}

std::string EncodingCache::key(const producers::Producer& p, const producers::Input& in,
                               const producers::Config& cfg, int jobs) {
  if (dir_.empty() || in.elf.empty() || !p.missing.empty() || p.family == "embedded") return "";
  std::string text = "btfcheck-encoding-cache/1\nfamily=" + p.family + "\njobs=" +
                     std::to_string(p.takes_jobs ? jobs : 0) + "\n";
  if (p.family == "pahole") text += "pahole_flags=" + join(cfg.pahole_flags) + "\n";
  if (p.family == "btfcheck") text += "btfcheck_flags=" + join(cfg.btfcheck_flags) + "\n";
  if (p.family == "archive") text += "producer=" + p.name + "\n";   // which merge
  text += tool_identity(p);
  text += "elf=" + stat_line(in.elf) + "\n";
  if (!in.base.empty()) text += "base=" + stat_line(in.base) + "\n";
  return sha256_text(text);
}

Result<producers::Output> EncodingCache::produce(const producers::Producer& p,
                                                 const producers::Input& in,
                                                 const producers::Config& cfg,
                                                 const std::string& workdir, int jobs, bool* hit) {
  if (hit) *hit = false;
  const std::string k = key(p, in, cfg, jobs);
  if (k.empty()) return producers::produce(p, in, cfg, workdir, jobs);
  const fs::path entry = fs::path(dir_) / k;
  std::error_code ec;
  if (fs::is_regular_file(entry / "out.btf", ec) && fs::is_regular_file(entry / "meta.json", ec)) {
    std::ifstream m(entry / "meta.json");
    auto meta = nlohmann::json::parse(m, nullptr, false);
    if (!meta.is_discarded() && meta.is_object()) {
      fs::create_directories(workdir, ec);
      const fs::path out = fs::path(workdir) / "out.btf";
      fs::remove(out, ec);
      fs::create_hard_link(entry / "out.btf", out, ec);
      if (ec) fs::copy_file(entry / "out.btf", out, ec);
      if (!ec) {
        producers::Output o;
        o.btf_path = out.string();
        o.wall_s = meta.value("wall_s", 0.0);
        o.cpu_s = meta.value("cpu_s", 0.0);
        o.peak_rss_kb = meta.value("peak_rss_kb", 0L);
        if (const double prep = meta.value("prepare_s", 0.0); prep > 0) {
          producers::Step s{"prepare", {}};
          s.proc.exit = 0;
          s.proc.wall_s = prep;
          o.steps.push_back(s);
        }
        if (hit) *hit = true;
        fs::last_write_time(entry / "meta.json", fs::file_time_type::clock::now(), ec);   // used
        return o;
      }
    }
  }
  auto out = producers::produce(p, in, cfg, workdir, jobs);
  if (!out.ok() || !out->skipped.empty()) return out;
  // Store: a private temporary directory, renamed into place (a concurrent writer of the
  // same key loses the rename and removes its copy; either copy is the same output).
  double prep = 0;
  for (const auto& s : out->steps) prep += s.role == "prepare" ? s.proc.wall_s : 0;
  const fs::path tmp = fs::path(dir_) / (k + ".tmp." + std::to_string(::getpid()));
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (!ec) fs::copy_file(out->btf_path, tmp / "out.btf", ec);
  if (!ec) {
    const nlohmann::json meta = {{"wall_s", out->wall_s}, {"cpu_s", out->cpu_s},
                                 {"peak_rss_kb", out->peak_rss_kb}, {"prepare_s", prep},
                                 {"producer", p.name}, {"version", p.version}, {"input", in.elf}};
    std::ofstream(tmp / "meta.json") << meta.dump(1) << "\n";
    fs::rename(tmp, entry, ec);
  }
  fs::remove_all(tmp, ec);   // after a lost rename, or a failed copy
  return out;
}

}  // namespace btfcheck::matrix
