#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace btfcheck::cli {

Progress::Progress(std::string what, size_t total, bool quiet)
    : Progress(std::move(what), total,
               quiet ? Mode::Quiet : isatty(STDERR_FILENO) ? Mode::Bar : Mode::Lines) {}

Progress::Progress(std::string what, size_t total, Mode mode)
    : what_(std::move(what)), total_(total), mode_(mode),
      start_(std::chrono::steady_clock::now()) {
  if (mode_ == Mode::Bar) draw();
}

Progress::~Progress() {
  if (mode_ == Mode::Bar) std::fputc('\n', stderr);
}

void Progress::draw() {
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  constexpr int kWidth = 30;
  const int filled = total_ ? int(kWidth * done_ / total_) : kWidth;
  std::string bar(size_t(filled), '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s [%s] %zu/%zu %02d:%02d", what_.c_str(), bar.c_str(), done_, total_,
               int(secs) / 60, int(secs) % 60);
  std::fflush(stderr);
}

void Progress::step(const std::string& line) {
  ++done_;
  if (mode_ == Mode::Bar) draw();
  else if (mode_ == Mode::Lines)
    std::fprintf(stderr, "[%zu/%zu] %s\n", done_, total_, line.c_str());
}

void Progress::clear() {
  if (mode_ == Mode::Bar) std::fputs("\r\033[K", stderr);
}

void Progress::note(const std::string& line) {
  if (mode_ == Mode::Quiet) return;
  if (mode_ == Mode::Bar) std::fprintf(stderr, "\r\033[K%s\n", line.c_str());
  else std::fprintf(stderr, "%s\n", line.c_str());
  if (mode_ == Mode::Bar) draw();
}

}  // namespace btfcheck::cli
