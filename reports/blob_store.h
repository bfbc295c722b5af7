// A content-addressed store of BTF outputs for the gate's baselines: one file per distinct
// blob, DIR/<sha256 of the bytes>.btf.xz (xz-compressed), so identical outputs are stored
// once, an unchanged rerun writes nothing, and the baseline JSON only names digests. Reads
// check the SHA-256 of what they decompress: a corrupt or truncated file is an error naming
// it, never a wrong diff.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "btf/error.h"

namespace btfcheck::report {

// Lower-case hex SHA-256 of the bytes: the key of a blob.
std::string blob_key(std::span<const uint8_t> bytes);
// DIR/KEY.btf.xz
std::string blob_path(const std::string& dir, const std::string& key);
bool is_blob_key(const std::string& s);

// The blob's bytes, decompressed and checked against its key.
Result<std::vector<uint8_t>> load_blob(const std::string& dir, const std::string& key);
// Writes the blob unless a file for its key exists (atomically; creates DIR). Returns
// whether a file was written.
Result<bool> store_blob(const std::string& dir, std::span<const uint8_t> bytes);
// Removes DIR's blob files whose key is not in `keep` (other files are left alone).
// Returns the number removed.
Result<size_t> prune_blobs(const std::string& dir, const std::set<std::string>& keep);

}  // namespace btfcheck::report
