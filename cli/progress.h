// Progress for long commands (matrix, repro, encode): on a terminal, one redrawn line on
// stderr with a bar, counts and elapsed time; when stderr is not a terminal, one plain line
// per finished item (useful in CI logs); nothing with --quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace btfcheck::cli {

class Progress {
 public:
  enum class Mode { Bar, Lines, Quiet };
  // Bar when stderr is a TTY, else Lines; Quiet when `quiet`.
  Progress(std::string what, size_t total, bool quiet);
  Progress(std::string what, size_t total, Mode mode);
  ~Progress();   // ends the bar line
  // One item finished; `line` describes it ("clang-14 bitfields: ok 0.05 s").
  void step(const std::string& line);
  // A message that must stay visible (a failure): printed on its own line in every mode but Quiet.
  void note(const std::string& line);
  // Bar mode: erase the bar line so the caller can print a line of its own output.
  void clear();
  Mode mode() const { return mode_; }

 private:
  void draw();
  std::string what_;
  size_t total_, done_ = 0;
  Mode mode_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace btfcheck::cli
