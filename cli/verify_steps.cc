#include "cli/verify_steps.h"

#include "btf/json.h"
#include "btf/relocate.h"
#include "cli/input.h"
#include "encoder/fixup/fixup.h"

namespace btfcheck::cli {
namespace {

// An error that ends the check (the archive split's framing, libbpf's refusal) as a
// report of one violation.
Checked failed(const std::string& section, const Error& e, const verify::Options& opts) {
  verify::Report r;
  r.kernel = opts.kernel;
  r.builtin = opts.builtin();
  r.violations.push_back(verify::from_parse_error(e));
  return {section, std::move(r)};
}

// Adds what the container says beyond the bytes: a distilled base the release cannot load.
void add_container_findings(const VerifyInput& in, const verify::Options& opts,
                            verify::Report& r) {
  if (!in.distilled) return;
  if (auto v = verify::check_distilled_base(opts)) {
    r.violations.push_back(std::move(*v));
    verify::sort_violations(r.violations);
  }
}

verify::Violation violation_of(const btf::RelocateFinding& f) {
  verify::Violation v = verify::from_parse_error(f.error);
  v.kind = f.kind;
  v.name = f.name;
  return v;
}

btf::ParseOptions parse_options(const btf::Blob& b, std::shared_ptr<const btf::Btf> base,
                                const VerifyInput& in, const verify::Options& opts) {
  btf::ParseOptions po{b.file, b.section, std::move(base), in.target};
  po.info = opts.info;
  return po;
}

// A module with a distilled base: .BTF.base as btf_parse_base reads it (the vmlinux/module
// rules) plus what a distilled base may hold, then .BTF split on it or, given a base,
// relocated onto that base and checked there. A relocation that fails is reported where its
// types are (a distilled type's finding in .BTF.base, a split name's in .BTF), and .BTF is
// then checked on its distilled base.
std::vector<Checked> check_distilled(const VerifyInput& in, const verify::Options& opts) {
  const btf::Blob& d = *in.distilled;
  verify::Report dr =
      verify::verify_bytes(d.bytes, parse_options(d, nullptr, in, opts), verify::Options::as_builtin(opts));
  auto dist = btf::Btf::parse(d.bytes, parse_options(d, nullptr, in, opts));
  if (!dist) return {{d.section, std::move(dr)}};   // .BTF cannot be read without it
  for (const btf::RelocateFinding& f : btf::check_distilled_base(**dist))
    dr.violations.push_back(violation_of(f));

  const btf::Blob& blob = in.blob;
  std::optional<verify::Report> r;
  auto split = btf::Btf::parse(blob.bytes, parse_options(blob, *dist, in, opts));
  if (in.base && split) {
    const btf::Relocation rel = btf::relocate(**split, in.base);
    if (rel.btf) {
      const auto bytes = rel.btf->bytes();
      r = verify::verify_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()),
                               parse_options(blob, in.base, in, opts), opts);
    }
    std::vector<verify::Violation> own;
    for (const btf::RelocateFinding& f : rel.findings)
      (f.error.section == d.section ? dr.violations : own).push_back(violation_of(f));
    if (!r) r = verify::verify_bytes(blob.bytes, parse_options(blob, *dist, in, opts), opts);
    r->violations.insert(r->violations.end(), own.begin(), own.end());
    verify::sort_violations(r->violations);
  }
  if (!r) r = verify::verify_bytes(blob.bytes, parse_options(blob, *dist, in, opts), opts);
  verify::sort_violations(dr.violations);
  add_container_findings(in, opts, *r);
  return {{d.section, std::move(dr)}, {blob.section, std::move(*r)}};
}

}  // namespace

Result<VerifyInput> open_verify_input(const std::string& file, const std::string& base_opt,
                                      const std::optional<btf::Target>& target_opt) {
  VerifyInput in;
  auto base = open_base(file, base_opt);
  if (!base) return Error(base.error());
  in.base = *base;
  auto blob = btf::load_blob(file);
  if (!blob) return blob.error();
  in.blob = std::move(*blob);
  auto target = btf::blob_target(file, in.blob.target, target_opt);
  if (!target) return target.error();
  in.target = *target;
  if (in.blob.from_elf) {
    auto d = btf::load_distilled_base(file);
    if (!d) return d.error();
    in.distilled = std::move(*d);
  }
  return in;
}

std::optional<Checked> apply_fixup(VerifyInput& in, const verify::Options& opts) {
  auto fixed = fixup::apply_libbpf(in.blob.file, in.blob.bytes);
  if (!fixed) return failed(in.blob.section, fixed.error(), opts);
  in.blob.bytes = std::move(*fixed);
  return std::nullopt;
}

std::vector<Checked> check_input(const VerifyInput& in, const verify::Options& opts, bool archive) {
  const btf::Blob& blob = in.blob;
  std::vector<Checked> results;
  auto members = btf::split_archive(blob.bytes, blob.file, blob.section);
  if (in.distilled && !archive) return check_distilled(in, opts);
  auto parse_opts = [&](const std::string& section) {
    return btf::ParseOptions{blob.file, section, in.base, in.target};
  };
  if (!archive) {
    verify::Report r = verify::verify_bytes(blob.bytes, parse_opts(blob.section), opts);
    if (members && members->size() > 1) {
      verify::Violation v;
      v.rule = "archive.multiple";
      v.offset = (*members)[1].offset;
      v.message = "input holds " + std::to_string(members->size()) +
                  " concatenated BTF blobs (a BTF archive, as `ld -r` leaves .BTF); the kernel "
                  "loads a single blob and rejects this; use --archive to verify each member";
      r.violations.push_back(std::move(v));
      verify::sort_violations(r.violations);
    }
    add_container_findings(in, opts, r);
    results.push_back({blob.section, std::move(r)});
    return results;
  }
  if (!members) {
    results.push_back(failed(blob.section, members.error(), opts));
    return results;
  }
  for (size_t i = 0; i < members->size(); ++i) {
    const btf::ArchiveMember& m = (*members)[i];
    std::string section = blob.section;
    if (members->size() > 1)
      section = (section.empty() ? std::string("archive") : section) + "#" + std::to_string(i);
    std::vector<uint8_t> bytes(blob.bytes.begin() + m.offset, blob.bytes.begin() + m.offset + m.size);
    verify::Report r = verify::verify_bytes(std::move(bytes), parse_opts(section), opts);
    add_container_findings(in, opts, r);
    results.push_back({section, std::move(r)});
  }
  return results;
}

std::string render_results(const std::vector<Checked>& results, const std::string& file,
                           bool json, bool archive) {
  bool valid = true;
  for (const Checked& c : results) valid = valid && c.report.valid();
  std::string out;
  const bool parts = archive || results.size() > 1;
  if (json && parts) {
    out = "{\"file\":" + json_quote(file) + ",\"valid\":" + (valid ? "true" : "false") +
          ",\"members\":[";
    for (size_t i = 0; i < results.size(); ++i)
      out += (i ? ",\n" : "\n") + verify::format_json(results[i].report, file, results[i].section);
    return out + "\n]}\n";
  }
  if (json) return verify::format_json(results[0].report, file, results[0].section) + "\n";
  for (const Checked& c : results)
    out += verify::format_text(c.report, file, c.section,
                               results.size() > 1 ? file + ": " + c.section : "");
  return out;
}

}  // namespace btfcheck::cli
