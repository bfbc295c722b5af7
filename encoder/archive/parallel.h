// parallel_for: the archive merge's one threading helper (members parsed, hashed and
// modelled in parallel, each task writing only its own slots, so results never depend on
// the thread count or on scheduling).
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace btfcheck::archive {

// f(0..n-1) on up to `jobs` threads (the calling one included); f writes only slot k.
template <typename F>
void parallel_for(size_t n, unsigned jobs, F&& f) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next.fetch_add(1)) < n;) f(k);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < jobs && t < n; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace btfcheck::archive
