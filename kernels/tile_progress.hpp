#pragma once
// The hand-off between whole-warp workers that share a slot's tiles (the
// intra-sequence kernel, the warp traceback): the worker of tile t stores
// its bottom row in chunks of 32 columns, syncs its lanes, and its lane 0
// publishes in progress[t] how many columns are stored (a release at device
// scope: the lanes' stores, ordered before it by the warp's sync, go with
// it); the worker of tile t + 1 waits for the columns it needs (an acquire)
// before its lanes load them, chunk_lead steps before it needs them.  The
// message-passing pattern needs no sequentially consistent fence
// (__threadfence) on either side.  Workers of one launch are
// resident together (the host sizes launches by occupancy), so waiting
// cannot deadlock; a spin limit, or another worker's failure, turns a bug
// into the launch's error flag instead of a hang.

#include <cstdint>

#include "hd.hpp"

namespace gpualign::kern {

/// How many wavefront steps before lane 0 needs a chunk of the row above its
/// worker waits for it and loads it, by default.  The worker of tile t + 1
/// then runs at least 62 + lead steps behind the worker of tile t (tile t
/// stores column 32c + 32 at its step 32c + 62; tile t + 1 asks for it at
/// step 32c - lead), so a slot of T tiles spends (T - 1) * (62 + lead)
/// steps filling its pipeline: for W3's CIGAR windows (~59 tiles of
/// ~13,000 columns) ~29% of the launch's time at a lead of 32, ~26% at 16
/// (kernels/PERFORMANCE.md, "A tile's pipeline lag").  A lead shorter than
/// the load latency (an L2 hit, a few steps) stalls every worker once a
/// chunk.  8: on an H100, W3 (as given) ran 0.7% faster at 8 than at 16 and
/// W2 the same, as the lag predicts; with long targets on the rows W3's
/// ~390-tile slots make the lag most of their span (~6% fewer steps at 8).
inline constexpr int kDefaultChunkLead = 8;

/// Steps tile t + 1 runs at least behind tile t at a given lead: tile t
/// stores column 32c + 32 at its step 32c + 62, tile t + 1 asks for it at
/// its step 32c - lead.  The planner's lag (kernels/plan.hpp).
GPUALIGN_HD int tile_lag(int lead) { return 62 + lead; }

/// The step within a chunk (0 to 31) at which a whole-warp worker waits for
/// and loads the next chunk, `lead` (1 to 32) steps before it is needed.
GPUALIGN_HD int chunk_lead_step(int lead) { return (32 - lead) & 31; }

/// Polls of a predecessor's progress before a worker gives up.
inline constexpr long long kSpinLimit = 1ll << 30;

/// Publishes that a tile's first `columns` columns are stored: the warp
/// syncs (each lane's stores of the bottom row before lane 0's release) and
/// lane 0 (`leader`) stores `columns` with release.  Every lane of the warp
/// calls it.
GPUALIGN_EXEC_CHECK_DISABLE
template <class Warp>
GPUALIGN_HD_TEMPLATE inline void publish_tile(bool leader, std::int32_t* progress, int columns) {
  Warp::syncwarp();
  if (leader) Warp::store_release(progress, columns);
}

/// Lane 0 of a worker (`leader`) waits until `*progress` reaches `need`
/// (or gives up, setting `*error`), reading it with acquire so that the
/// predecessor's stores released with it are seen; the warp syncs, so
/// every lane's loads come after.  Every lane of the warp calls it.
GPUALIGN_EXEC_CHECK_DISABLE
template <class Warp>
GPUALIGN_HD_TEMPLATE inline void wait_for_tile(bool leader, const std::int32_t* progress, int need,
                                               std::int32_t* error) {
  if (leader) {
    long long spins = 0;
    while (Warp::load_acquire(progress) < need) {
      if (++spins > kSpinLimit || Warp::load_volatile(error) != 0) {
        Warp::store_volatile(error, 1);
        break;
      }
      Warp::pause();
    }
  }
  Warp::syncwarp();
}

}  // namespace gpualign::kern
