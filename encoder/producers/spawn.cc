// posix_spawnp + wait4: the rusage of exactly the child we started (its own peak RSS,
// not the maximum over every child as RUSAGE_CHILDREN would give).
#include "encoder/producers/spawn.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace btfcheck::producers {
namespace {

std::string join(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

std::string read_tail(const std::string& path, size_t max) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  return s.size() > max ? s.substr(s.size() - max) : s;
}

}  // namespace

ProcResult run_process(const std::vector<std::string>& argv, const std::string& stdout_path,
                       const std::string& cwd) {
  ProcResult r;
  r.command = join(argv);
  if (argv.empty()) {
    r.stderr_tail = "empty command";
    return r;
  }
  char err_tmpl[] = "/tmp/btfcheck-stderr-XXXXXX";
  const int err_fd = mkstemp(err_tmpl);
  if (err_fd < 0) {
    r.stderr_tail = std::string("mkstemp: ") + std::strerror(errno);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, stdout_path.empty() ? "/dev/null" : stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  // A program named by a relative path is the one relative to our directory, not `cwd`.
  std::vector<std::string> args = argv;
  if (!cwd.empty() && args[0].find('/') != std::string::npos && args[0][0] != '/')
    args[0] = std::filesystem::absolute(args[0]).string();
  std::vector<char*> cargv;
  for (const std::string& a : args) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  // In `cwd`, the child's PWD is /proc/self/cwd: true in any process, and compilers record
  // it (DW_AT_comp_dir, the file names in .BTF), so their output does not depend on where the
  // work directory is (Bazel's trick).
  static const char kPwd[] = "PWD=/proc/self/cwd";
  std::vector<char*> env;
  for (char** e = environ; *e; ++e)
    if (cwd.empty() || std::strncmp(*e, "PWD=", 4) != 0) env.push_back(*e);
  if (!cwd.empty()) env.push_back(const_cast<char*>(kPwd));
  env.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), env.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    close(err_fd);
    unlink(err_tmpl);
    r.stderr_tail = argv[0] + ": " + std::strerror(rc);
    return r;
  }
  int status = 0;
  struct rusage ru {};
  while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  r.peak_rss_kb = ru.ru_maxrss;
  r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  close(err_fd);
  r.stderr_tail = read_tail(err_tmpl, 2048);
  unlink(err_tmpl);
  return r;
}

std::string first_output_line(const std::vector<std::string>& argv) {
  char tmpl[] = "/tmp/btfcheck-out-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return "";
  close(fd);
  const ProcResult r = run_process(argv, tmpl);
  std::string out = read_tail(tmpl, 4096);
  unlink(tmpl);
  if (r.exit != 0) return "";
  if (out.empty()) out = r.stderr_tail;
  return out.substr(0, out.find('\n'));
}

std::string which(const std::string& name) {
  auto exec_ok = [](const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) return exec_ok(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && exec_ok(dir + "/" + name)) return dir + "/" + name;
  return "";
}

}  // namespace btfcheck::producers
