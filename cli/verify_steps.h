// The steps of `btfcheck verify FILE`, which cli/verify_cmd.cc calls in this order:
//   open    FILE's bytes (not a parsed Btf: broken framing is a violation here), its base
//           (cli/input.h's rule), its target (ELF header or --target), whether it carries a
//           distilled .BTF.base;
//   fixup   libbpf's load-time fixups (--fixup=libbpf); a refusal is a finding;
//   check   the blob, or each member of a BTF archive (--archive), against the rules; a
//           module with a distilled .BTF.base is two parts: the distilled base (the kernel's
//           btf_parse_base rules and what a distilled base may hold) and .BTF on it or,
//           with --base, relocated onto that base (btf/relocate.h), every type that cannot
//           be matched a finding;
//   report  text or JSON of every checked blob.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "btf/btf.h"
#include "btf/error.h"
#include "btf/load.h"
#include "comparator/verify/verify.h"

namespace btfcheck::cli {

struct VerifyInput {
  btf::Blob blob;
  std::shared_ptr<const btf::Btf> base;
  std::optional<btf::Target> target;   // what the blob is parsed with (btf/load.h)
  std::optional<btf::Blob> distilled;  // the ELF's .BTF.base section
};

// One verified blob (a whole file, or an archive member) and the section label it reports.
struct Checked {
  std::string section;
  verify::Report report;
};

// Errors (exit 2): an unreadable FILE or base, a --target that contradicts the ELF header.
Result<VerifyInput> open_verify_input(const std::string& file, const std::string& base_opt,
                                      const std::optional<btf::Target>& target_opt);

// Applies libbpf's fixups to `in.blob` in place; when libbpf would refuse the object, the
// refusal as the only finding instead.
std::optional<Checked> apply_fixup(VerifyInput& in, const verify::Options& opts);

// The blob as one BTF (a second concatenated blob is an archive.multiple finding) or, with
// `archive`, every member on its own; a module with a distilled base as its two parts.
std::vector<Checked> check_input(const VerifyInput& in, const verify::Options& opts, bool archive);

// The output of verify for `results` (format_text per blob, or one JSON document: with
// several results {"file","valid","members":[...]}).
std::string render_results(const std::vector<Checked>& results, const std::string& file,
                           bool json, bool archive);

}  // namespace btfcheck::cli
