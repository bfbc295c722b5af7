// An encoding cache: the output of a producer on an ELF input, kept under a key that names
// everything the output depends on, so a second matrix run (or feature-cost experiment) on
// the same kernel with the same producer reuses the encoding instead of spending a minute on
// it again. The key is the SHA-256 of:
//   - the recipe: producer family, -jN, pahole's flags, btfcheck's encoder flags;
//   - the tool: its bytes (not its path: a copy elsewhere is the same tool), the bytes of the
//     shared libraries in its own directory (a build tree's pahole loads libdwarves.so from
//     there), and its --version line;
//   - the input: the ELF's and the base's real paths, sizes and modification times (not
//     their bytes: a 340 MB vmlinux is not read to look up a key).
// An entry is DIR/<key>/{out.btf, meta.json}; meta.json holds the figures measured when the
// output was made (wall, CPU, peak RSS, prepare time), which a hit reports again, marked
// "cached". A hit touches meta.json, so a cache kept between CI runs can drop the entries a run
// did not use (ci/gate-suite --prune-cache). Entries are written to a temporary directory and
// renamed, so a reader never sees a partial one. C inputs (corpus cases) are not cached: their recipes compile with the host's
// compiler, which the key does not name, and they take milliseconds.
#pragma once

#include <map>
#include <string>

#include "btf/error.h"
#include "encoder/producers/producers.h"

namespace btfcheck::matrix {

class EncodingCache {
 public:
  explicit EncodingCache(std::string dir) : dir_(std::move(dir)) {}
  bool enabled() const { return !dir_.empty(); }

  // The key of this run, or "" when it is not cacheable (cache off, a C input, a skip).
  std::string key(const producers::Producer& p, const producers::Input& in,
                  const producers::Config& cfg, int jobs);

  // produce() through the cache: a hit links the stored output into `workdir`; a miss
  // produces and stores. *hit (when given) says which.
  Result<producers::Output> produce(const producers::Producer& p, const producers::Input& in,
                                    const producers::Config& cfg, const std::string& workdir,
                                    int jobs, bool* hit = nullptr);

 private:
  std::string tool_identity(const producers::Producer& p);

  std::string dir_;
  std::map<std::string, std::string> tools_;   // tool path -> identity (hashed once per run)
};

// Lower-case hex SHA-256 of a file's bytes, "" when it cannot be read.
std::string file_sha256(const std::string& path);

}  // namespace btfcheck::matrix
