// The forked-process runner of execute_parallel: one event loop in the
// calling thread drives the workers over socket pairs, detects deaths (EOF,
// then waitpid) and timeouts, retries once, and reaps every child.

#include "gpualign/process_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio_ext.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "gpualign/execute_parallel.hpp"
#include "parallel/prepared_chunks.hpp"

namespace gpualign::detail {
namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// SIGINT / SIGTERM while pools run.  The handler records the signal and
// writes a byte to a pipe that every running pool polls; the byte is left in
// the pipe (level-triggered) so all pools running at once see it.

std::mutex g_sig_mu;
int g_sig_refs = 0;
int g_sig_pipe[2] = {-1, -1};
volatile sig_atomic_t g_sig_caught = 0;
struct sigaction g_old_int, g_old_term;

extern "C" void on_stop_signal(int sig) {
  const int saved = errno;
  if (g_sig_caught == 0) g_sig_caught = sig;
  const char c = 1;
  [[maybe_unused]] auto r = write(g_sig_pipe[1], &c, 1);
  errno = saved;
}

class StopSignalScope {
 public:
  StopSignalScope() {
    std::lock_guard lock(g_sig_mu);
    if (g_sig_refs++ > 0) return;
    if (pipe2(g_sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
      g_sig_refs = 0;
      throw Error(std::string("process pool: pipe failed: ") + std::strerror(errno));
    }
    g_sig_caught = 0;
    struct sigaction sa {};
    sa.sa_handler = &on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
  }
  ~StopSignalScope() {
    std::lock_guard lock(g_sig_mu);
    if (--g_sig_refs > 0) return;
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    close(g_sig_pipe[0]);
    close(g_sig_pipe[1]);
    g_sig_pipe[0] = g_sig_pipe[1] = -1;
    g_sig_caught = 0;
  }
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;
  int read_fd() const noexcept { return g_sig_pipe[0]; }
  int caught() const noexcept { return g_sig_caught; }
};

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    case SIGXCPU: return "SIGXCPU";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    default: return "signal " + std::to_string(sig);
  }
}

// ---------------------------------------------------------------------------
// Wire format.  Parent -> worker: u64 count, then count u64 item indices.
// Worker -> parent, per item: FrameHeader, then `length` bytes (the encoded
// result, or the exception message when status is 1).

struct FrameHeader {
  std::uint64_t index;
  std::uint32_t status;  // 0 = result, 1 = exception message
  std::uint32_t reserved;
  std::uint64_t length;
};

bool read_full(int fd, void* data, std::size_t n) {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = read(fd, p, n);
    if (r > 0) {
      p += r;
      n -= static_cast<std::size_t>(r);
    } else if (r == 0 || errno != EINTR) {
      return false;
    }
  }
  return true;
}

bool write_full(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r > 0) {
      p += r;
      n -= static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EAGAIN) {
      pollfd pfd{fd, POLLOUT, 0};
      if (poll(&pfd, 1, 1000) < 0 && errno != EINTR) return false;
      if (pfd.revents & (POLLERR | POLLHUP)) return false;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

// The worker: reads chunks, runs their items in order, sends one frame per
// item.  Never returns.
[[noreturn]] void worker_main(int fd, const ProcessItemFns& fns, const std::vector<int>& inherited) {
  thread_pool_after_fork_in_child();
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
  // Unwritten stdio bytes copied from the parent are the parent's to write.
  __fpurge(stdout);
  __fpurge(stderr);
  for (int f : inherited) close(f);
  try {
    std::vector<std::uint64_t> idx;
    std::string frame;
    for (;;) {
      std::uint64_t count = 0;
      if (!read_full(fd, &count, sizeof count)) break;  // parent closed: done
      idx.resize(count);
      if (!read_full(fd, idx.data(), count * sizeof(std::uint64_t))) break;
      for (std::uint64_t i : idx) {
        // One write per item, never buffered across items: after a crash the
        // parent blames exactly the first item without a frame.
        frame.assign(sizeof(FrameHeader), '\0');
        std::uint32_t status = 0;
        try {
          fns.run_and_encode(static_cast<std::size_t>(i), frame);
        } catch (...) {
          frame.resize(sizeof(FrameHeader));
          frame += describe_current_exception();
          status = 1;
        }
        const FrameHeader h{i, status, 0, frame.size() - sizeof(FrameHeader)};
        std::memcpy(frame.data(), &h, sizeof h);
        if (!write_full(fd, frame.data(), frame.size())) _exit(0);  // parent gone
      }
    }
  } catch (...) {
    _exit(70);  // EX_SOFTWARE: bad_alloc in the loop itself, say
  }
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(0);
}

struct Worker {
  pid_t pid = -1;
  int fd = -1;
  bool busy = false;
  PreparedChunk chunk;
  std::size_t pos = 0;  // items[pos] is the one in progress
  std::optional<Clock::time_point> deadline;
  std::string in;
  std::size_t in_off = 0;
  MemoryBudget::Reservation held;
};

// Waits for `pid`; returns its wait status, or nullopt when it cannot be
// known (SIGCHLD ignored: the kernel reaped it).  If the child closed its
// socket but lingers, it is killed after a second.
std::optional<int> reap(pid_t pid, bool already_killed) {
  int st = 0;
  if (!already_killed) {
    // A child normally exits microseconds after closing its socket: poll with
    // a short, growing pause, up to about a second in all.
    auto pause = std::chrono::microseconds(10);
    for (auto waited = std::chrono::microseconds(0); waited < std::chrono::seconds(1); waited += pause) {
      const pid_t r = waitpid(pid, &st, WNOHANG);
      if (r == pid) return st;
      if (r < 0 && errno != EINTR) return std::nullopt;
      if (r == 0) {
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
      }
    }
    kill(pid, SIGKILL);
  }
  for (;;) {
    const pid_t r = waitpid(pid, &st, 0);
    if (r == pid) return st;
    if (r < 0 && errno != EINTR) return std::nullopt;
  }
}

struct DeathCause {
  ItemFailure kind;
  std::string text;
};

DeathCause describe_status(std::optional<int> st) {
  if (!st) return {ItemFailure::worker_exit, "worker process ended (status unavailable)"};
  if (WIFSIGNALED(*st)) {
    const int s = WTERMSIG(*st);
    return {ItemFailure::worker_signal,
            "worker killed by signal " + std::to_string(s) + " (" + signal_name(s) + ")"};
  }
  if (WIFEXITED(*st))
    return {ItemFailure::worker_exit, "worker exited with status " + std::to_string(WEXITSTATUS(*st))};
  return {ItemFailure::worker_exit, "worker process ended"};
}

class ProcessRun {
 public:
  ProcessRun(const ParallelOptions& opt, std::size_t n, const ProcessItemFns& fns)
      : opt_(opt), fns_(fns), attempts_(n, 0) {
    workers_wanted_ = resolve_workers(opt);
    auto chunks = prepare_chunks(opt, n, workers_wanted_, failures_);
    workers_wanted_ = std::min(workers_wanted_, chunks.size());
    for (auto& c : chunks) pending_.push_back(std::move(c));
    if (opt.chunk_timeout_s > 0)
      timeout_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.chunk_timeout_s));
  }

  ~ProcessRun() {
    // Whatever happened, no child outlives the run and none stays a zombie.
    for (auto& w : workers_)
      if (w.pid > 0) {
        kill(w.pid, SIGKILL);
        reap(w.pid, true);
        w.pid = -1;
      }
    for (auto& w : workers_)
      if (w.fd >= 0) close(w.fd);
  }

  std::vector<ItemError> run() {
    StopSignalScope signals;
    for (;;) {
      if (signals.caught()) interrupted(signals.caught());
      start_workers();
      const bool budget_blocked = dispatch();
      if (busy_count() == 0 && pending_.empty()) break;
      wait_for_events(signals, budget_blocked);
      check_deadlines();
    }
    finish();
    std::sort(failures_.begin(), failures_.end(),
              [](const ItemError& a, const ItemError& b) { return a.index < b.index; });
    return std::move(failures_);
  }

 private:
  std::size_t alive_count() const {
    return static_cast<std::size_t>(std::count_if(workers_.begin(), workers_.end(), [](const Worker& w) { return w.pid > 0; }));
  }
  std::size_t busy_count() const {
    return static_cast<std::size_t>(std::count_if(workers_.begin(), workers_.end(), [](const Worker& w) { return w.pid > 0 && w.busy; }));
  }

  // Forks workers until there are as many as there is work for.
  void start_workers() {
    const std::size_t wanted = std::min(workers_wanted_, busy_count() + pending_.size());
    while (alive_count() < wanted) {
      if (!spawn()) {
        if (alive_count() == 0) throw Error(std::string("process pool: fork failed: ") + std::strerror(errno));
        break;  // carry on with the workers there are
      }
    }
  }

  bool spawn() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    // Descriptors the child must not keep: other workers' sockets (else their
    // EOF would never come) and the signal pipe.
    std::vector<int> inherited{sv[0]};
    for (const auto& w : workers_)
      if (w.fd >= 0) inherited.push_back(w.fd);
    inherited.push_back(g_sig_pipe[0]);
    inherited.push_back(g_sig_pipe[1]);
    const pid_t pid = fork();
    if (pid < 0) {
      const int e = errno;
      close(sv[0]);
      close(sv[1]);
      errno = e;
      return false;
    }
    if (pid == 0) worker_main(sv[1], fns_, inherited);
    close(sv[1]);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    // Reuse a dead slot so the vector does not grow with every crash.
    auto slot = std::find_if(workers_.begin(), workers_.end(), [](const Worker& w) { return w.pid <= 0 && w.fd < 0; });
    if (slot == workers_.end()) {
      workers_.emplace_back();
      slot = workers_.end() - 1;
    }
    *slot = Worker{};
    slot->pid = pid;
    slot->fd = sv[0];
    return true;
  }

  // Sends pending chunks to idle workers.  Returns true when a chunk waits
  // for memory budget held by others.
  bool dispatch() {
    for (auto& w : workers_) {
      if (pending_.empty()) return false;
      if (w.pid <= 0 || w.busy) continue;
      PreparedChunk& next = pending_.front();
      MemoryBudget::Reservation held;
      if (opt_.memory_budget && next.bytes) {
        held = opt_.memory_budget->try_reserve(next.bytes, "chunk");
        if (!held) return true;
      }
      std::string cmd(sizeof(std::uint64_t) * (next.items.size() + 1), '\0');
      const std::uint64_t count = next.items.size();
      std::memcpy(cmd.data(), &count, sizeof count);
      for (std::size_t k = 0; k < next.items.size(); ++k) {
        const std::uint64_t i = next.items[k];
        std::memcpy(cmd.data() + sizeof(std::uint64_t) * (k + 1), &i, sizeof i);
      }
      w.chunk = std::move(next);
      pending_.pop_front();
      w.busy = true;
      w.pos = 0;
      w.held = std::move(held);
      if (timeout_) w.deadline = Clock::now() + *timeout_;
      if (!write_full(w.fd, cmd.data(), cmd.size())) {
        // Died while idle, or cannot take work: reap it (killing it if it
        // lingers) and retry the chunk elsewhere.
        worker_died(w, reap(w.pid, false));
      }
    }
    return false;
  }

  void wait_for_events(const StopSignalScope& signals, bool budget_blocked) {
    std::vector<pollfd> fds;
    std::vector<Worker*> owners;
    fds.push_back({signals.read_fd(), POLLIN, 0});
    owners.push_back(nullptr);
    std::optional<Clock::time_point> soonest;
    for (auto& w : workers_) {
      if (w.pid <= 0) continue;
      fds.push_back({w.fd, POLLIN, 0});
      owners.push_back(&w);
      if (w.busy && w.deadline && (!soonest || *w.deadline < *soonest)) soonest = w.deadline;
    }
    int timeout_ms = -1;
    if (soonest) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*soonest - Clock::now()).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left + 1, 0, 60000));
    }
    if (budget_blocked) timeout_ms = timeout_ms < 0 ? 5 : std::min(timeout_ms, 5);
    const int r = poll(fds.data(), fds.size(), timeout_ms);
    if (r <= 0) return;  // timeout or EINTR: the caller re-checks everything
    for (std::size_t k = 1; k < fds.size(); ++k)
      if (fds[k].revents) drain(*owners[k]);
  }

  // Reads what a worker sent; on EOF or error it is dead.
  void drain(Worker& w) {
    char buf[65536];
    for (;;) {
      const ssize_t r = read(w.fd, buf, sizeof buf);
      if (r > 0) {
        w.in.append(buf, static_cast<std::size_t>(r));
        if (!parse_frames(w)) return;
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno == EAGAIN) return;
      worker_died(w, reap(w.pid, false));  // EOF or error
      return;
    }
  }

  // Handles complete frames; returns false if the worker broke the protocol
  // (it is then killed and treated as dead).
  bool parse_frames(Worker& w) {
    while (w.in.size() - w.in_off >= sizeof(FrameHeader)) {
      FrameHeader h;
      std::memcpy(&h, w.in.data() + w.in_off, sizeof h);
      if (w.in.size() - w.in_off - sizeof h < h.length) break;
      if (!w.busy || w.pos >= w.chunk.items.size() || h.index != w.chunk.items[w.pos] || h.status > 1) {
        kill(w.pid, SIGKILL);
        worker_died(w, reap(w.pid, true));
        return false;
      }
      const std::string_view payload(w.in.data() + w.in_off + sizeof h, h.length);
      const std::size_t i = w.chunk.items[w.pos];
      if (h.status == 1) {
        failures_.push_back({i, ItemFailure::exception, std::string(payload), nullptr});
      } else {
        try {
          fns_.decode(i, payload);
        } catch (...) {
          failures_.push_back({i, ItemFailure::bad_result, "could not decode the result: " + describe_current_exception(), nullptr});
        }
      }
      w.in_off += sizeof h + h.length;
      if (++w.pos == w.chunk.items.size()) {
        w.busy = false;
        w.chunk = {};
        w.pos = 0;
        w.deadline.reset();
        w.held.release();
      }
    }
    if (w.in_off > 0 && w.in_off * 2 >= w.in.size()) {
      w.in.erase(0, w.in_off);
      w.in_off = 0;
    }
    return true;
  }

  void check_deadlines() {
    const auto now = Clock::now();
    for (auto& w : workers_) {
      if (w.pid <= 0 || !w.busy || !w.deadline || now < *w.deadline) continue;
      drain(w);  // results that arrived in time still count
      if (w.pid <= 0 || !w.busy) continue;
      kill(w.pid, SIGKILL);
      reap(w.pid, true);
      char secs[32];
      std::snprintf(secs, sizeof secs, "%g", opt_.chunk_timeout_s);
      blame(w, {ItemFailure::timeout, std::string("chunk timed out after ") + secs + " s"});
    }
  }

  void worker_died(Worker& w, std::optional<int> status) { blame(w, describe_status(status)); }

  // The worker is gone: its item in progress is retried once on another
  // worker, then reported; the rest of its chunk goes back to the queue.
  void blame(Worker& w, const DeathCause& cause) {
    if (w.fd >= 0) close(w.fd);
    w.fd = -1;
    w.pid = -1;
    if (w.busy && w.pos < w.chunk.items.size()) {
      const std::size_t i = w.chunk.items[w.pos];
      std::size_t rest = w.pos;
      if (++attempts_[i] >= 2) {
        failures_.push_back({i, cause.kind, cause.text + " (also on the retry)", nullptr});
        ++rest;
      }
      if (rest < w.chunk.items.size()) {
        PreparedChunk again;
        again.items.assign(w.chunk.items.begin() + static_cast<std::ptrdiff_t>(rest), w.chunk.items.end());
        if (opt_.memory_budget && opt_.item_bytes)
          for (std::size_t k : again.items) again.bytes += opt_.item_bytes(k);
        pending_.push_front(std::move(again));
      }
    }
    w.busy = false;
    w.chunk = {};
    w.pos = 0;
    w.deadline.reset();
    w.held.release();
    w.in.clear();
    w.in_off = 0;
  }

  [[noreturn]] void interrupted(int sig) {
    std::size_t stopped = 0;
    for (auto& w : workers_)
      if (w.pid > 0) {
        kill(w.pid, SIGKILL);
        reap(w.pid, true);
        w.pid = -1;
        ++stopped;
      }
    throw Error("process pool interrupted by " + signal_name(sig) + ": stopped " + std::to_string(stopped) +
                " worker process" + (stopped == 1 ? "" : "es"));
  }

  // All work done: closing a worker's socket tells it to exit.
  void finish() {
    for (auto& w : workers_) {
      if (w.fd >= 0) close(w.fd);
      w.fd = -1;
    }
    for (auto& w : workers_)
      if (w.pid > 0) {
        reap(w.pid, false);
        w.pid = -1;
      }
  }

  const ParallelOptions& opt_;
  const ProcessItemFns& fns_;
  std::vector<std::uint8_t> attempts_;
  std::vector<ItemError> failures_;
  std::deque<PreparedChunk> pending_;
  std::deque<Worker> workers_;
  std::size_t workers_wanted_ = 1;
  std::optional<Clock::duration> timeout_;
};

}  // namespace

std::vector<ItemError> run_in_processes(const ParallelOptions& opt, std::size_t n, const ProcessItemFns& fns) {
  ProcessRun run(opt, n, fns);
  return run.run();
}

}  // namespace gpualign::detail
