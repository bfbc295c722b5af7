// Running one external program and measuring it: wall time, CPU time (user + system) and
// peak RSS of that process alone (wait4's rusage), its exit status and the tail of its
// stderr. No shell: argv is passed as is.
#pragma once

#include <string>
#include <vector>

namespace btfcheck::producers {

struct ProcResult {
  int exit = -1;             // exit status; 128+N when killed by signal N; -1 spawn failed
  double wall_s = 0, cpu_s = 0;
  long peak_rss_kb = 0;
  std::string stderr_tail;   // last ~2 KiB of stderr (or the spawn error)
  std::string command;       // argv joined by spaces, for logs and errors
};

// Runs argv[0] (looked up on PATH) with stdout sent to `stdout_path` ("" = /dev/null), in
// directory `cwd` ("" = ours; otherwise with PWD=/proc/self/cwd, see spawn.cc).
ProcResult run_process(const std::vector<std::string>& argv, const std::string& stdout_path = "",
                       const std::string& cwd = "");

// The first line of `argv` + "--version"-style output (stdout then stderr), "" on failure.
std::string first_output_line(const std::vector<std::string>& argv);

// Absolute path of `name` on PATH ("" when absent); a name with '/' is checked as is.
std::string which(const std::string& name);

}  // namespace btfcheck::producers
