/* kernel_btf_load: asks the running kernel whether it accepts a BTF blob (BPF_BTF_LOAD).
 *
 * usage: kernel_btf_load FILE   (FILE: raw BTF bytes, e.g. an extracted .BTF section)
 * Prints one line and exits:
 *   0  "accepted"
 *   1  "rejected: <errno text>: <last line of the kernel's verifier log>"
 *   2  "unavailable: <reason>"  (unreadable file, no privilege for BPF_BTF_LOAD, ...)
 * The ground truth that btfcheck verify's verdict is compared with in ci/harness. The log
 * is requested only after a first failure, so accepted blobs cost one syscall. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: kernel_btf_load FILE\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "rb");
  if (!f) {
    printf("unavailable: %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  size_t cap = 1 << 20, len = 0;
  char* buf = malloc(cap);
  for (size_t n; buf && (n = fread(buf + len, 1, cap - len, f)) > 0;) {
    len += n;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf) {
    printf("unavailable: out of memory\n");
    return 2;
  }
  int fd = bpf_btf_load(buf, len, NULL);
  if (fd >= 0) {
    close(fd);
    printf("accepted\n");
    return 0;
  }
  int err = errno;
  if (err == EPERM || err == EACCES || err == ENOSYS) {
    printf("unavailable: BPF_BTF_LOAD: %s\n", strerror(err));
    return 2;
  }
  size_t log_size = 16u << 20;
  char* log = calloc(1, log_size);
  LIBBPF_OPTS(bpf_btf_load_opts, opts, .log_buf = log, .log_size = (unsigned)log_size,
              .log_level = 1);
  fd = bpf_btf_load(buf, len, &opts);
  if (fd >= 0) close(fd);
  const char* last = "";
  if (log) {
    size_t n = strlen(log);
    while (n && (log[n - 1] == '\n' || log[n - 1] == ' ')) log[--n] = 0;
    char* nl = strrchr(log, '\n');
    last = nl ? nl + 1 : log;
  }
  /* 524 is the kernel-internal ENOTSUPP ("Unsupported encoding"), unknown to libc. */
  printf("rejected: %s: %s\n", err == 524 ? "ENOTSUPP" : strerror(err), last);
  return 1;
}
