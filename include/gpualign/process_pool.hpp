#pragma once
/// @file process_pool.hpp
/// The forked-process pool behind `execute_parallel(..., {.pool_type =
/// PoolType::process})`.
///
/// How it behaves:
/// - Workers are fork()ed copies of the caller, so items need no encoding; a
///   worker runs the chunks it is sent (as item indices over a socket pair)
///   and streams back one encoded result (Codec<R>) or error per item.
/// - A worker that dies (a signal such as SIGSEGV, SIGABRT, SIGKILL from the
///   OOM killer, or an exit) or whose chunk passes `chunk_timeout_s` is
///   reaped; the item it was on and the rest of its chunk go to a fresh
///   worker once more; an item that kills its worker (or times out) a
///   second time is reported as failed, naming the signal, the exit status
///   or the timeout; all other items still complete.
/// - Every child is waited for (no zombies); results travel through socket
///   pairs that close with the run (nothing left in /dev/shm).
/// - While a pool runs, SIGINT and SIGTERM are caught: the workers are
///   killed and reaped and the call throws gpualign::Error; the previous
///   handlers are restored afterwards.  In the workers both signals have
///   their default action.
/// - A worker runs only `fn` and then _exit()s: it never returns into the
///   caller's stack, never runs atexit handlers and flushes only stdout and
///   stderr (whose inherited unwritten bytes are discarded first).  As with
///   any fork() from a threaded program, `fn` must not need a lock another
///   thread of the parent held at the moment of forking.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace gpualign::detail {

/// The two halves of an item's work in a process pool.
struct ProcessItemFns {
  /// In the worker: runs item i and appends its encoded result to `bytes`.
  /// An exception it throws is sent back as that item's failure.
  std::function<void(std::size_t i, std::string& bytes)> run_and_encode;
  /// In the parent: decodes item i's result bytes and stores the value.  An
  /// exception it throws marks the item ItemFailure::bad_result.
  std::function<void(std::size_t i, std::string_view bytes)> decode;
};

}  // namespace gpualign::detail
