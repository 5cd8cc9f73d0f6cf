#pragma once
// A tiny SIMT emulator for the CPU tests: runs a kernel body written against
// the `Warp` policy (lane id, shuffles, syncwarp, fences) with one fiber per
// lane, 32 lanes per warp, on one host thread.  Collectives block a fiber
// until every lane of its warp has arrived, exactly like a converged warp;
// spinning (`pause`) yields to the other warps, so the inter-warp
// progress protocol of the intra-sequence kernel runs as it would on a GPU.

#include <ucontext.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

// Fiber switches dominate the emulator's time (every shuffle is a barrier of
// 32 fibers).  glibc's swapcontext makes a system call each time (it saves
// the signal mask); on x86-64 a switch that saves only the callee-saved
// registers and the stack pointer does the same job here (the fibers never
// touch signal masks) without one: the emulated engine tests ran about 5x
// faster with it.  Elsewhere: swapcontext.
#if defined(__x86_64__) && defined(__linux__)
#define GPUALIGN_EMU_FAST_SWITCH 1
// gpualign_emu_switch(void** save_sp, void* load_sp): pushes the callee-saved
// registers, stores the stack pointer in *save_sp, loads load_sp, pops the
// registers saved there and returns into that context.  Weak: the header may
// be compiled into several objects of one link.
asm(R"(
  .pushsection .text
  .weak gpualign_emu_switch
  .type gpualign_emu_switch, @function
gpualign_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size gpualign_emu_switch, .-gpualign_emu_switch
  .popsection
)");
extern "C" void gpualign_emu_switch(void** save_sp, void* load_sp);
#else
#define GPUALIGN_EMU_FAST_SWITCH 0
#endif

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
    void* sp = nullptr;  // saved stack pointer (fast switch)
    std::vector<char> stack;
    int warp = 0, lane = 0;
    bool done = false;
    // Asynchronous copies (Warp::copy16) issued and not yet waited for:
    // their bytes land in shared memory only at copy_wait, so a kernel
    // that reads before it waits reads stale data here too.
    struct Copy {
      std::uint32_t* dst;
      std::uint32_t data[4];
    };
    std::vector<Copy> copies;
  };
  struct WarpState {
    std::uint64_t gen = 0;
    int arrived = 0;
    int exited = 0;  // lanes whose body returned
    std::uint32_t val[2][kLanes] = {};
  };

  WarpEmulator(int warps, std::function<void(int)> body) : body_(std::move(body)), warps_(warps) {
    fibers_.resize(static_cast<std::size_t>(warps) * kLanes);
    for (std::size_t i = 0; i < fibers_.size(); ++i) {
      Fiber& f = fibers_[i];
      f.warp = static_cast<int>(i / kLanes);
      f.lane = static_cast<int>(i % kLanes);
      f.stack.resize(256 * 1024);
#if GPUALIGN_EMU_FAST_SWITCH
      // The first switch "returns" into start(): below a 16-byte aligned
      // top, start's address (so that rsp % 16 == 8 on entry, as after a
      // call), then the MXCSR / x87 control words and six zero registers
      // gpualign_emu_switch pops.
      auto top = reinterpret_cast<std::uintptr_t>(f.stack.data() + f.stack.size()) & ~std::uintptr_t{15};
      auto* slot = reinterpret_cast<std::uint64_t*>(top - 16);
      slot[1] = 0;
      slot[0] = reinterpret_cast<std::uint64_t>(&WarpEmulator::start);
      std::uint64_t* regs = slot - 7;
      for (int k = 0; k < 7; ++k) regs[k] = 0;
      std::uint32_t csr = 0;
      std::uint16_t cw = 0;
      asm volatile("stmxcsr %0" : "=m"(csr));
      asm volatile("fnstcw %0" : "=m"(cw));
      regs[0] = csr | (static_cast<std::uint64_t>(cw) << 32);
      f.sp = regs;
#else
      getcontext(&f.ctx);
      f.ctx.uc_stack.ss_sp = f.stack.data();
      f.ctx.uc_stack.ss_size = f.stack.size();
      f.ctx.uc_link = &main_;
      makecontext(&f.ctx, &WarpEmulator::entry, 0);
#endif
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
    for (const Fiber::Copy& c : f.copies) std::memcpy(c.dst, c.data, 16);  // they land after the thread exits too
    f.copies.clear();
    f.done = true;
    ++e->ws_[static_cast<std::size_t>(f.warp)].exited;
  }
#if GPUALIGN_EMU_FAST_SWITCH
  // A fiber's first frame: runs the body, then hands control back for good
  // (the scheduler never resumes a done fiber).
  [[noreturn]] static void start() {
    entry();
    WarpEmulator* e = self();
    gpualign_emu_switch(&e->fibers_[e->current_].sp, e->main_sp_);
    std::abort();
  }
#endif
  void schedule() {
    self() = this;
    for (bool busy = true; busy;) {
      busy = false;
      for (std::size_t i = 0; i < fibers_.size(); ++i) {
        if (fibers_[i].done) continue;
        busy = true;
        current_ = i;
#if GPUALIGN_EMU_FAST_SWITCH
        gpualign_emu_switch(&main_sp_, fibers_[i].sp);
#else
        swapcontext(&main_, &fibers_[i].ctx);
#endif
      }
    }
    self() = nullptr;
  }
  void yield() {
#if GPUALIGN_EMU_FAST_SWITCH
    gpualign_emu_switch(&fibers_[current_].sp, main_sp_);
#else
    swapcontext(&fibers_[current_].ctx, &main_);
#endif
  }

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
      while (w.gen == gen) {
        // A lane that returned never arrives: on a GPU this warp would
        // hang (or worse); here the test stops with a message.
        if (w.exited != 0) {
          std::fprintf(stderr, "warp emulator: warp %d waits at a collective that %d exited lane(s) will never reach\n",
                       f.warp, w.exited);
          std::abort();
        }
        yield();
      }
    }
    return w.val[par][src];
  }

  std::function<void(int)> body_;
  int warps_;
  std::vector<Fiber> fibers_;
  std::vector<WarpState> ws_ = std::vector<WarpState>(static_cast<std::size_t>(warps_));
  ucontext_t main_{};
  void* main_sp_ = nullptr;
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
    static std::int32_t load_acquire(const std::int32_t* p) { return *p; }
    static void store_release(std::int32_t* p, std::int32_t v) { *p = v; }
    static void pause() { self()->yield(); }
    static void copy16(std::uint32_t* dst, const std::uint32_t* src) {
      Fiber::Copy c{dst, {}};
      std::memcpy(c.data, src, 16);
      self()->fibers_[self()->current_].copies.push_back(c);
    }
    static void copy_wait() {
      auto& copies = self()->fibers_[self()->current_].copies;
      for (const Fiber::Copy& c : copies) std::memcpy(c.dst, c.data, 16);
      copies.clear();
    }
  };
};

}  // namespace gpualign::test
