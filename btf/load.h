// Loading BTF bytes from the places they live: a raw .btf file, /sys/kernel/btf/*, or the
// .BTF section of an ELF object (via libelf). This is the I/O edge of the btf/ stage; the
// parser itself (btf.h) only sees bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"
#include "btf/target.h"

namespace btfcheck::btf {

struct Blob {
  std::vector<uint8_t> bytes;
  std::string file;
  std::string section;       // ".BTF" when read from an ELF, "" for a raw file
  bool from_elf = false;
  std::optional<Target> target;   // from the ELF header (target.h); nullopt for raw BTF
};

// The same bytes, not copied: an ELF section viewed in the mapped file, or a raw file read
// once; `keep` holds whatever backs `bytes` (for Btf::parse_borrowed).
struct View {
  std::span<const uint8_t> bytes;
  std::shared_ptr<const void> keep;
  std::string file;
  std::string section;
  bool from_elf = false;
  std::optional<Target> target;
};

// Whole file into memory; Error "io.*" names the path and errno text.
Result<std::vector<uint8_t>> read_file(const std::string& path);

// Writes `bytes` to `path` atomically (a temporary file in the same directory, then rename),
// so a failure never leaves a partial file. Returns "" or an error naming the path.
std::string write_file(const std::string& path, std::span<const uint8_t> bytes);

// A raw BTF file or an ELF's section (default ".BTF"). An ELF without the section is an
// Error with rule "elf.no-btf".
Result<Blob> load_blob(const std::string& path, const std::string& elf_section = ".BTF");
Result<View> load_view(const std::string& path, const std::string& elf_section = ".BTF");

// An ELF's distilled base: its .BTF.base section, which modules built with pahole's
// `--btf_features=distilled_base` carry beside .BTF (btf/relocate.h). nullopt when `path`
// is not an ELF or has no .BTF.base; an Error when the section cannot be read.
Result<std::optional<Blob>> load_distilled_base(const std::string& path);
// Such a module's .BTF parsed as split BTF on its .BTF.base (nullopt: no .BTF.base). An
// unreadable .BTF.base is an Error naming that section.
Result<std::optional<std::shared_ptr<const Btf>>> open_distilled(
    const std::string& path, const std::optional<Target>& target = std::nullopt);

// Members of a BTF archive: several BTF blobs concatenated (as `ld -r` leaves per-object
// .BTF sections), each optionally followed by zero padding up to 8-byte alignment. A plain
// blob is an archive of one member. Each member's length is hdr_len plus the end of its
// furthest section.
struct ArchiveMember {
  uint64_t offset = 0;
  uint64_t size = 0;
};
Result<std::vector<ArchiveMember>> split_archive(std::span<const uint8_t> bytes,
                                                 const std::string& file = "",
                                                 const std::string& section = "");

// The target to parse a loaded blob with: the ELF's, else `option` (--target). An option
// that contradicts the ELF header is an Error (rule "target.option") naming both.
Result<std::optional<Target>> blob_target(const std::string& path,
                                          const std::optional<Target>& container,
                                          const std::optional<Target>& option);

// load_blob + Btf::parse, with an optional base file for split BTF and the user's --target
// (raw BTF; an ELF's header decides for it). An archive of more than one member is an
// Error (rule "archive.multiple") unless the caller splits it first. An ELF with .BTF.base
// is split BTF on that distilled base; given `base` too, it is relocated onto `base` as the
// kernel does at module load (btf/relocate.h), and a type that cannot be relocated is an
// Error (the first finding's rule, with the count).
Result<std::shared_ptr<const Btf>> open_btf(const std::string& path,
                                            std::shared_ptr<const Btf> base = nullptr,
                                            const std::optional<Target>& target = std::nullopt);

// Parses every member of an archive (a plain blob gives one).
Result<std::vector<std::shared_ptr<const Btf>>> open_archive(
    const std::string& path, std::shared_ptr<const Btf> base = nullptr,
    const std::optional<Target>& target = std::nullopt);

}  // namespace btfcheck::btf
