// libbpf's merge: btf__add_btf per member into one BTF, then btf__dedup. Member bytes are
// first parsed by our own reader (btf/), so a malformed member is an error naming its
// offset instead of whatever libbpf would make of it; libbpf 1.1 also trusts every name
// offset and type id (btf__add_btf strlen()s names, btf__dedup indexes by ids, FWD's type
// word included), so those are range-checked first (unsafe_for_libbpf). btf__dedup recurses along reference chains
// (one frame per PTR/CONST/FUNC_PROTO level), so the libbpf part runs on a thread with a
// 512 MiB stack (reserved, not committed), as dump_c does.
#include <bpf/btf.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "btf/kinds.h"
#include "btf/load.h"
#include "encoder/archive/archive.h"

namespace btfcheck::archive {
namespace {

struct BtfFree {
  void operator()(struct btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfFree>;

Error lib_error(const std::string& file, const std::string& section, uint64_t offset,
                const std::string& what, int err) {
  Error e;
  e.rule = "archive.libbpf";
  e.file = file;
  e.section = section;
  e.offset = offset;
  e.message = what + ": " + std::strerror(err < 0 ? -err : err);
  return e;
}

// libbpf 1.1 has no btf__new_split: parse a split member from an in-memory file.
struct btf* new_split(std::span<const uint8_t> bytes, struct btf* base) {
  const int fd = memfd_create("btfcheck-member", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  struct btf* b = nullptr;
  if (write(fd, bytes.data(), bytes.size()) == ssize_t(bytes.size()))
    b = btf__parse_raw_split(("/proc/self/fd/" + std::to_string(fd)).c_str(), base);
  close(fd);
  return b;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The first own name offset that names no string or type id past the end, as an Error
// (offset relative to the member; the caller adds the member's).
std::optional<Error> unsafe_for_libbpf(const btf::Btf& b) {
  for (uint32_t id = b.start_id(); id < b.type_count(); ++id) {
    const btf::Type t = b.type(id);
    std::optional<Error> err;
    btf::for_each_name_word(t.kind(), t.vlen(), [&](uint32_t w) {
      if (!err && !b.str(t.word(w)))
        err = b.error("name.offset", "name offset " + std::to_string(t.word(w)) +
                                         " is outside the string section (libbpf would read it)");
    });
    btf::for_each_ref_word(t.kind(), t.vlen(), [&](uint32_t w) {
      if (!err && !b.valid_id(t.word(w)))
        err = b.error("resolve.missing", "references type id " + std::to_string(t.word(w)) +
                                             " of " + std::to_string(b.type_count()) +
                                             " (libbpf would index past its types)");
    });
    // libbpf's btf_type_visit_type_ids also visits FWD's type word as an id (the kernel
    // wants it 0; our kind table does not count it as a reference).
    if (!err && btf::Kind(t.kind()) == btf::Kind::Fwd && !b.valid_id(t.word(2)))
      err = b.error("fwd.type", "FWD's type field " + std::to_string(t.word(2)) +
                                    " is not 0 (libbpf would index its types with it)");
    if (err) {
      err->type_id = id;
      err->offset = t.offset();
      return err;
    }
  }
  return std::nullopt;
}

Result<Merged> merge_on_this_stack(std::span<const uint8_t> bytes, const std::string& file,
                                   const std::string& section,
                                   std::shared_ptr<const btf::Btf> base);

struct Job {
  std::span<const uint8_t> bytes;
  const std::string* file;
  const std::string* section;
  std::shared_ptr<const btf::Btf> base;
  std::optional<Result<Merged>> result;
};

void* job_main(void* arg) {
  auto* job = static_cast<Job*>(arg);
  job->result.emplace(merge_on_this_stack(job->bytes, *job->file, *job->section, job->base));
  return nullptr;
}

constexpr size_t kStack = size_t(512) << 20;

}  // namespace

Result<Merged> merge_libbpf(std::span<const uint8_t> bytes, const std::string& file,
                            const std::string& section, std::shared_ptr<const btf::Btf> base) {
  Job job{bytes, &file, &section, std::move(base), std::nullopt};
  pthread_attr_t attr;
  pthread_t th;
  const bool started = pthread_attr_init(&attr) == 0 &&
                       pthread_attr_setstacksize(&attr, kStack) == 0 &&
                       pthread_create(&th, &attr, job_main, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return lib_error(file, section, 0, "cannot start the merge thread", EAGAIN);
  pthread_join(th, nullptr);
  return std::move(*job.result);
}

namespace {

Result<Merged> merge_on_this_stack(std::span<const uint8_t> bytes, const std::string& file,
                                   const std::string& section,
                                   std::shared_ptr<const btf::Btf> base) {
  auto members = btf::split_archive(bytes, file, section);
  if (!members.ok()) return members.error();
  Merged m;
  m.stats.members = members->size();
  m.stats.input_bytes = bytes.size();
  BtfPtr lib_base;
  if (base) {
    if (auto e = unsafe_for_libbpf(*base)) return *e;
    lib_base.reset(btf__new(base->bytes().data(), uint32_t(base->bytes().size())));
    if (!lib_base) return lib_error(base->file(), base->section(), 0, "libbpf rejects the base", errno);
  }
  BtfPtr out(lib_base ? btf__new_empty_split(lib_base.get()) : btf__new_empty());
  if (!out) return lib_error(file, section, 0, "btf__new_empty", errno);
  const auto t0 = std::chrono::steady_clock::now();
  for (const btf::ArchiveMember& am : *members) {
    const auto span = bytes.subspan(am.offset, am.size);
    // Our parser first: framing errors name the member's offset.
    auto own = btf::Btf::parse(std::vector<uint8_t>(span.begin(), span.end()),
                               {file, section, base});
    if (!own.ok()) {
      Error e = own.error();
      e.offset = e.offset.value_or(0) + am.offset;
      e.message = "archive member at offset " + std::to_string(am.offset) + ": " + e.message;
      return e;
    }
    if (auto e = unsafe_for_libbpf(**own)) {
      e->offset = e->offset.value_or(0) + am.offset;
      e->message = "archive member at offset " + std::to_string(am.offset) + ": " + e->message;
      return *e;
    }
    m.stats.types_before += (*own)->own_count();
    BtfPtr member(lib_base ? new_split(span, lib_base.get())
                           : btf__new(span.data(), uint32_t(span.size())));
    if (!member) return lib_error(file, section, am.offset, "libbpf rejects the member", errno);
    const int id = btf__add_btf(out.get(), member.get());
    if (id < 0) return lib_error(file, section, am.offset, "btf__add_btf", id);
  }
  m.stats.add_s = since(t0);
  uint32_t size = 0;
  btf__raw_data(out.get(), &size);
  m.stats.bytes_before = size;
  const auto t1 = std::chrono::steady_clock::now();
  if (int err = btf__dedup(out.get(), nullptr); err < 0)
    return lib_error(file, section, 0, "btf__dedup", err);
  m.stats.dedup_s = since(t1);
  const void* raw = btf__raw_data(out.get(), &size);
  if (!raw) return lib_error(file, section, 0, "btf__raw_data", errno);
  m.bytes.assign(static_cast<const uint8_t*>(raw), static_cast<const uint8_t*>(raw) + size);
  m.stats.bytes_after = size;
  const uint32_t start = lib_base ? btf__type_cnt(lib_base.get()) : 1;
  m.stats.types_after = btf__type_cnt(out.get()) - start;
  return m;
}

}  // namespace

Result<std::shared_ptr<const btf::Btf>> open_merged(const std::string& path,
                                                    std::shared_ptr<const btf::Btf> base,
                                                    size_t* members) {
  auto blob = btf::load_blob(path);
  if (!blob.ok()) return blob.error();
  auto parts = btf::split_archive(blob->bytes, blob->file, blob->section);
  if (!parts.ok()) return parts.error();
  if (members) *members = parts->size();
  std::vector<uint8_t> bytes = std::move(blob->bytes);
  if (parts->size() > 1) {
    auto merged = merge_libbpf(bytes, blob->file, blob->section, base);
    if (!merged.ok()) return merged.error();
    bytes = std::move(merged->bytes);
  }
  return btf::Btf::parse(std::move(bytes), {path, blob->section, base});
}

}  // namespace btfcheck::archive
