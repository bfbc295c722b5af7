// parallel_for: the archive merge's one threading helper (members parsed, hashed and
// modelled in parallel, each task writing only its own slots, so results never depend on
// the thread count or on scheduling), and Buffer, the per-node arrays those tasks fill.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
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

// Buffer<T>: a vector whose resize() leaves trivial elements uninitialized, so that the
// parallel_for writing every slot is the first to touch its fresh pages (the kernel zeroes
// each on its first touch, on whichever thread that is) instead of a serial fill before.
template <typename T>
struct NoInitAllocator : std::allocator<T> {
  template <typename U>
  struct rebind { using other = NoInitAllocator<U>; };
  NoInitAllocator() = default;
  template <typename U>
  NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
};
template <typename T>
using Buffer = std::vector<T, NoInitAllocator<T>>;

}  // namespace btfcheck::archive
