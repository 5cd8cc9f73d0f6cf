#pragma once
// The hand-off between whole-warp workers that share a slot's tiles (the
// intra-sequence kernel, the warp traceback): the worker of tile t stores
// its bottom row in chunks of 32 columns, fences, and publishes in
// progress[t] how many columns are stored; the worker of tile t + 1 waits
// for the columns it needs before it loads them.  Workers of one launch are
// resident together (the host sizes launches by occupancy), so waiting
// cannot deadlock; a spin limit, or another worker's failure, turns a bug
// into the launch's error flag instead of a hang.

#include <cstdint>

#include "hd.hpp"

namespace gpualign::kern {

/// Polls of a predecessor's progress before a worker gives up.
inline constexpr long long kSpinLimit = 1ll << 30;

/// Lane 0 of a worker (`leader`) waits until `*progress` reaches `need`
/// (or gives up, setting `*error`), then fences so that the predecessor's
/// stores are seen; the warp syncs.  Every lane of the warp calls it.
GPUALIGN_EXEC_CHECK_DISABLE
template <class Warp>
GPUALIGN_HD_TEMPLATE inline void wait_for_tile(bool leader, const std::int32_t* progress, int need,
                                               std::int32_t* error) {
  if (leader) {
    long long spins = 0;
    while (Warp::load_volatile(progress) < need) {
      if (++spins > kSpinLimit || Warp::load_volatile(error) != 0) {
        Warp::store_volatile(error, 1);
        break;
      }
      Warp::pause();
    }
    Warp::threadfence();
  }
  Warp::syncwarp();
}

}  // namespace gpualign::kern
