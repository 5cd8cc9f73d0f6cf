#pragma once
// A tiny SIMT emulator for the CPU tests: runs a kernel body written against
// the `Warp` policy (lane id, shuffles, syncwarp, fences) with one fiber per
// lane, 32 lanes per warp, on one host thread.  Collectives block a fiber
// until every lane of its warp has arrived, exactly like a converged warp;
// spinning (`pause`) yields to the other warps, so the inter-warp
// progress protocol of the intra-sequence kernel runs as it would on a GPU.

#include <ucontext.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

namespace gpualign::test {

class WarpEmulator {
 public:
  struct Warp;

  /// Runs body(warp) on `warps` warps of 32 lanes until all return.
  static void run(int warps, std::function<void(int)> body) {
    WarpEmulator emu(warps, std::move(body));
    emu.schedule();
  }

 private:
  static constexpr int kLanes = 32;
  struct Fiber {
    ucontext_t ctx{};
    std::vector<char> stack;
    int warp = 0, lane = 0;
    bool done = false;
  };
  struct WarpState {
    std::uint64_t gen = 0;
    int arrived = 0;
    std::uint32_t val[2][kLanes] = {};
  };

  WarpEmulator(int warps, std::function<void(int)> body) : body_(std::move(body)), warps_(warps) {
    fibers_.resize(static_cast<std::size_t>(warps) * kLanes);
    for (std::size_t i = 0; i < fibers_.size(); ++i) {
      Fiber& f = fibers_[i];
      f.warp = static_cast<int>(i / kLanes);
      f.lane = static_cast<int>(i % kLanes);
      f.stack.resize(256 * 1024);
      getcontext(&f.ctx);
      f.ctx.uc_stack.ss_sp = f.stack.data();
      f.ctx.uc_stack.ss_size = f.stack.size();
      f.ctx.uc_link = &main_;
      makecontext(&f.ctx, &WarpEmulator::entry, 0);
    }
  }

  static WarpEmulator*& self() {
    static thread_local WarpEmulator* e = nullptr;
    return e;
  }
  static void entry() {
    WarpEmulator* e = self();
    Fiber& f = e->fibers_[e->current_];
    e->body_(f.warp);
    f.done = true;
  }
  void schedule() {
    self() = this;
    for (bool busy = true; busy;) {
      busy = false;
      for (std::size_t i = 0; i < fibers_.size(); ++i) {
        if (fibers_[i].done) continue;
        busy = true;
        current_ = i;
        swapcontext(&main_, &fibers_[i].ctx);
      }
    }
    self() = nullptr;
  }
  void yield() { swapcontext(&fibers_[current_].ctx, &main_); }

  // Every lane posts `v`; returns lane `src`'s value once all have posted.
  std::uint32_t exchange(std::uint32_t v, int src) {
    Fiber& f = fibers_[current_];
    WarpState& w = ws_[f.warp];
    const std::uint64_t gen = w.gen;
    const int par = static_cast<int>(gen & 1);
    w.val[par][f.lane] = v;
    if (++w.arrived == kLanes) {
      w.arrived = 0;
      ++w.gen;
    } else {
      while (w.gen == gen) yield();
    }
    return w.val[par][src];
  }

  std::function<void(int)> body_;
  int warps_;
  std::vector<Fiber> fibers_;
  std::vector<WarpState> ws_ = std::vector<WarpState>(static_cast<std::size_t>(warps_));
  ucontext_t main_{};
  std::size_t current_ = 0;

 public:
  /// The policy the kernel templates take (the CPU twin of DeviceWarp).
  struct Warp {
    static int lane() { return self()->fibers_[self()->current_].lane; }
    static std::uint32_t shfl_up(std::uint32_t v, int d) {
      const int l = lane();
      return self()->exchange(v, l >= d ? l - d : l);
    }
    static std::uint32_t shfl(std::uint32_t v, int src) { return self()->exchange(v, src & (kLanes - 1)); }
    static void syncwarp() { self()->exchange(0, 0); }
    static void threadfence() {}
    static std::uint32_t load_cg(const std::uint32_t* p) { return *p; }
    static void store_cg(std::uint32_t* p, std::uint32_t v) { *p = v; }
    static std::int32_t load_volatile(const std::int32_t* p) { return *p; }
    static void store_volatile(std::int32_t* p, std::int32_t v) { *p = v; }
    static void pause() { self()->yield(); }
  };
};

}  // namespace gpualign::test
