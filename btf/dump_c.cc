// C dump through libbpf's btf_dump, as `bpftool btf dump file F format c` (v7.1.0) prints it.
//
// Design: libbpf owns C emission (ordering, forward declarations, anonymous-type naming,
// bitfield and padding reconstruction); re-implementing it would only produce a second,
// subtly different vmlinux.h. We hand libbpf the blob's bytes (btf__new; split BTF is
// loaded on a libbpf copy of its base, see below), wrap the output in bpftool's header guard and
// preserve_access_index pragma, and dump every id from 1 (for split BTF that includes the
// base's types, exactly as bpftool does). libbpf's printf callback appends to one string.
//
// Debian's libbpf 1.1 declares btf__new_split() but does not export it (it entered
// libbpf.map in 1.2), so split blobs go through btf__parse_raw_split() on an anonymous
// memfd holding the same bytes: still no file on disk, and the same libbpf parser.
//
// Safety: libbpf trusts references and names, so c_dump_guard() (dump_c_guard.cc) vets
// them first; btf_dump recurses along reference chains, so it runs on a thread with a
// 512 MiB stack (reserved, not committed), enough for any chain a blob can encode.
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "btf/dump.h"
#include "btf/dump_c_guard.h"

namespace btfcheck::dump {
namespace {

struct BtfFree {
  void operator()(struct btf* b) const { btf__free(b); }
};
struct DumpFree {
  void operator()(struct btf_dump* d) const { btf_dump__free(d); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfFree>;

// libbpf's printf callback target. It also bridges the two ways the libbpf we link (Debian's
// 1.1.2) prints differently from the libbpf inside Debian's bpftool 7.1 (built from the
// linux 6.1.y tree), found by diffing both on the corpus and on vmlinux:
//   * 1.1.2 appends " __attribute__((mode(byte)))" / " __attribute__((mode(word)))" after
//     1- and 8-byte enum definitions; 6.1.y prints neither. Both come as a printf call of
//     exactly that format, which we drop.
//   * 6.1.y prints a prototype without parameters (vlen 0, or a lone void) as "(void)",
//     1.1.2 as "()": a "(" call immediately followed by a ")" call. No other emission path
//     of btf_dump makes those two calls back to back (pointer-to-function parentheses are
//     " (" and ")" around a declarator, never empty).
struct Sink {
  std::string out;
  bool after_open_paren = false;
};

void append_printf(void* ctx, const char* fmt, va_list args) {
  auto* sink = static_cast<Sink*>(ctx);
  std::string& out = sink->out;
  const bool prev_open = sink->after_open_paren;
  sink->after_open_paren = false;
  if (fmt[0] == '(' && fmt[1] == '\0') {
    out.push_back('(');
    sink->after_open_paren = true;
    return;
  }
  if (fmt[0] == ')' && fmt[1] == '\0') {
    out += prev_open ? "void)" : ")";
    return;
  }
  if (fmt[0] == ' ' && fmt[1] == '_' &&
      (std::strcmp(fmt, " __attribute__((mode(byte)))") == 0 ||
       std::strcmp(fmt, " __attribute__((mode(word)))") == 0))
    return;
  if (!std::strchr(fmt, '%')) {   // most calls: literal text, no formatting needed
    out += fmt;
    return;
  }
  char small[256];
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(small, sizeof small, fmt, copy);
  va_end(copy);
  if (n < 0) return;
  if (size_t(n) < sizeof small) {
    out.append(small, size_t(n));
    return;
  }
  const size_t at = out.size();
  out.resize(at + size_t(n) + 1);
  std::vsnprintf(out.data() + at, size_t(n) + 1, fmt, args);
  out.resize(at + size_t(n));
}

Error libbpf_error(const btf::Btf& b, const std::string& what, int err) {
  Error e = b.error("dump.libbpf", what + ": " + std::strerror(err < 0 ? -err : err));
  return e;
}

struct btf* new_split(const btf::Btf& b, struct btf* base) {
  auto bytes = b.bytes();
  int fd = ::memfd_create("btfcheck-split", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      errno = err ? err : EIO;
      return nullptr;
    }
    done += size_t(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  struct btf* out = btf__parse_raw_split(path.c_str(), base);
  int err = errno;
  ::close(fd);
  errno = err;
  return out;
}

// A libbpf struct btf for `b`, with its base chain loaded first.
Result<BtfPtr> to_libbpf(const btf::Btf& b, BtfPtr& base_holder) {
  if (const btf::Btf* base = b.base()) {
    BtfPtr inner_base;
    auto lb = to_libbpf(*base, inner_base);
    if (!lb) return lb.error();
    if (inner_base) return b.error("dump.libbpf", "C dump supports one level of split BTF");
    base_holder = std::move(*lb);
  }
  auto bytes = b.bytes();
  errno = 0;
  struct btf* raw = base_holder ? new_split(b, base_holder.get())
                                : btf__new(bytes.data(), uint32_t(bytes.size()));
  if (!raw) return libbpf_error(b, "libbpf cannot load this BTF", errno ? errno : EINVAL);
  return BtfPtr(raw);
}

// Everything libbpf does, run on the big-stack thread.
struct Job {
  const btf::Btf* b;
  uint32_t pointer_size;
  std::optional<Result<std::string>> result;
};

Result<std::string> run_libbpf(const btf::Btf& b, uint32_t pointer_size) {
  BtfPtr base;
  auto lb = to_libbpf(b, base);
  if (!lb) return lb.error();
  if (pointer_size) btf__set_pointer_size(lb->get(), pointer_size);

  Sink sink;
  std::string& out = sink.out;
  errno = 0;
  std::unique_ptr<struct btf_dump, DumpFree> d(
      btf_dump__new(lb->get(), append_printf, &sink, nullptr));
  if (!d) return libbpf_error(b, "btf_dump__new failed", errno ? errno : EINVAL);

  out +=
      "#ifndef __VMLINUX_H__\n"
      "#define __VMLINUX_H__\n"
      "\n"
      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
      "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
      "#endif\n\n";
  const uint32_t cnt = btf__type_cnt(lb->get());
  for (uint32_t id = 1; id < cnt; ++id) {
    if (int err = btf_dump__dump_type(d.get(), id)) {
      Error e = libbpf_error(b, "btf_dump__dump_type failed", err);
      e.type_id = id;
      return e;
    }
  }
  d.reset();
  out +=
      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
      "#pragma clang attribute pop\n"
      "#endif\n"
      "\n"
      "#endif /* __VMLINUX_H__ */\n";
  return std::move(out);
}

void* job_main(void* arg) {
  auto* job = static_cast<Job*>(arg);
  job->result.emplace(run_libbpf(*job->b, job->pointer_size));
  return nullptr;
}

constexpr size_t kStack = size_t(512) << 20;

}  // namespace

Result<std::string> dump_c(const btf::Btf& b, uint32_t pointer_size) {
  if (auto e = c_dump_guard(b)) return *e;
  Job job{&b, pointer_size, std::nullopt};
  pthread_attr_t attr;
  pthread_t th;
  bool started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, kStack) == 0 &&
                 pthread_create(&th, &attr, job_main, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return b.error("dump.thread", "cannot start the C dump thread");
  pthread_join(th, nullptr);
  return std::move(*job.result);
}

}  // namespace btfcheck::dump
