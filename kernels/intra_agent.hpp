#pragma once
// Intra-sequence agent: a group of W lanes (a "worker": a whole warp for long
// pairs, W = 32; kGroupLanes lanes for short ones, several workers per warp)
// aligns tiles of W * R query rows of one slot (R = kIntraRows; whole warps
// may take R = kIntraShortRows, shorter tiles for more workers).  Lane k of the
// group keeps rows [k*R, k*R + R) of the tile in registers and runs one
// column behind lane k-1 (an anti-diagonal wavefront): at step s lane k
// computes column s - k + 1 and receives the G/F of the row above from lane
// k-1 by a warp shuffle.  The group's lane 0 reads the previous tile's
// bottom row from a boundary row in device memory, W columns at a time, one
// chunk ahead (coalesced, latency hidden); the group writes this tile's
// bottom row (its last lane's outputs, gathered by shuffles) back in place W
// columns at a time, coalesced, and publishes its progress after each, so
// several whole-warp workers pipeline the tiles of one slot (worker k takes
// tiles k, k + K, ...).  Workers of a launch are all resident (the host
// sizes the grid from the occupancy), so spinning on a predecessor cannot
// deadlock; a spin limit turns a bug into an error flag instead of a hang.
//
// Groups narrower than a warp each own one slot and take all its tiles
// themselves (no waiting on another warp).  The groups of a warp share every
// shuffle and sync, so they run the same number of tiles and steps: the
// host gives each worker the warp's largest (Worker::iters, Worker::cols)
// and sorts slots by size so that the groups of a warp are alike; a group
// past its own tiles or columns idles.
//
// `Warp` supplies lane id, shuffles, the progress hand-off (release,
// acquire) and cache-bypassing loads: on the GPU the intrinsics
// (device_warp.cuh), in the CPU tests a fiber emulator that runs this same
// code lane by lane.

#include <cstdint>

#include "layout.hpp"
#include "recurrence.hpp"
#include "tile_progress.hpp"

namespace gpualign::kern {

GPUALIGN_EXEC_CHECK_DISABLE
template <class Ops, int kMode, class Warp, int W = kWarp, bool kAcgt = false, int R = kIntraRows,
          bool kPrefixF = false>
GPUALIGN_HD_TEMPLATE inline void intra_worker(const IntraArgs& a, int wid, const std::int32_t* tab) {
  static_assert(W == kWarp || W == kGroupLanes, "a worker is a warp or a group of kGroupLanes lanes");
  static_assert(R == kIntraRows || (R == kIntraShortRows && W == kWarp), "short tiles are for whole warps");
  static_assert(!kPrefixF || W == kWarp, "narrow workers keep the plain F chain (registers: their point is occupancy)");
  constexpr int L = Ops::kLanes;
  constexpr int kTileRows = W * R;
  using V = typename Ops::V;
  const int lane = Warp::lane();
  const int gl = lane & (W - 1);  // lane within the group
  const int gbase = lane - gl;    // the group's first lane in the warp
  const Worker wk = a.workers[wid];
  const bool real = wk.slot >= 0;  // padding workers fill a warp's last groups
  const Slot& slot = a.slots[real ? wk.slot : 0];
  const Problem pr[2] = {real ? slot.prob[0] : Problem{}, real ? slot.prob[1] : Problem{}};
  const int open = a.sc.open, ext = a.sc.ext, mode = a.sc.mode;
  const V neg_open = Ops::from_bits(a.sc.v_neg_open);
  const V neg_ext = Ops::from_bits(a.sc.v_neg_ext);
  const V floor_g = g_floor<Ops>(pr[0].bias, pr[1].bias, open);
  const V sentinel = Ops::make(a.sc.sentinel, a.sc.sentinel);
  const int cols = real ? slot.cols : 0;
  const int pad = a.pad_code;
  Cell2* buf = a.bufs + slot.buf;                 // column j at buf[j]
  std::int32_t* prog = a.progress + slot.progress;  // tile t at prog[t]

  // Whole-warp workers wait for and load the next chunk a.chunk_lead steps
  // before lane 0 needs it (chunk_lead_step).
  const int load_sl = chunk_lead_step(a.chunk_lead);

  LaneEnds ends;
  ends.tr[0] = pr[0].transposed;
  ends.tr[1] = pr[1].transposed;
  V runmax = sentinel;
  Strip<Ops, R> st;

  for (int it = 0; it < wk.iters; ++it) {
    const int tile = wk.k + it * (real ? slot.workers : 1);
    const bool active = real && tile < slot.tiles;
    const int row0 = tile * kTileRows + gl * R;
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) {
      const int p = row0 + r;
      if constexpr (kAcgt) st.qo[0][r] = 0;
GPUALIGN_UNROLL
      for (int h = 0; h < L; ++h) {
        const int code = active && p < pr[h].m ? a.codes.at(slot.q_off[h] + static_cast<std::uint64_t>(p)) : pad;
        if constexpr (kAcgt) st.qo[0][r] |= static_cast<int>(acgt_row_sel(code) << (8 * h));
        else st.qo[h][r] = table_row<Ops>(code, h);
      }
      const int c = boundary_col0(mode, p + 1, open, ext) - open;
      st.g[r] = Ops::make(c + pr[0].bias, c + pr[1].bias);
      st.e[r] = sentinel;
    }
    {
      const int c = boundary_col0(mode, row0, open, ext) - open;
      st.diag_top = Ops::make(c + pr[0].bias, c + pr[1].bias);
    }
    // Warp-uniform: a group's first tile is tile 0 (narrow groups own their
    // slot, k = 0) and a whole-warp worker is the warp.
    const bool first = tile == 0;
    const bool last = tile == slot.tiles - 1;
    // Whether this group stores its bottom row, and whether the warp runs
    // the (collective) store code at all this tile.
    const bool need_store = active && !last;
    const bool store_phase = W == kWarp ? need_store : it + 1 < wk.iters;

    // Loads the W columns of chunk c (lane l: column W*c + 1 + l) of the
    // row above the tile: the previous tile's bottom row, or row 0.
    std::uint32_t nxt_g = 0, nxt_f = 0, nxt_t = 0;
    auto load_chunk = [&](int c) {
      // A narrow worker's previous tile is its own: finished, and its last
      // stores synced (publish_tile) before this tile began.  Only whole-warp
      // workers wait for a predecessor.
      if (W == kWarp && !first)
        wait_for_tile<Warp>(gl == 0 && active, &prog[tile - 1], W * c + W < cols ? W * c + W : cols, a.error);
      const int col = W * c + 1 + gl;
      if (active && col <= cols) {
        if (first) {
          const int v = boundary_row0(mode, col, open, ext) - open;
          nxt_g = Ops::bits(Ops::make(v + pr[0].bias, v + pr[1].bias));
          nxt_f = Ops::bits(sentinel);
        } else {
          nxt_g = Warp::load_cg(&buf[col].g);
          nxt_f = Warp::load_cg(&buf[col].f);
        }
        // The column's codes (problem h's in byte h), or in ACGT launches its selector bytes.
        std::uint32_t t = 0;
GPUALIGN_UNROLL
        for (int h = 0; h < L; ++h) {
          const int code = col - 1 < pr[h].n ? a.codes.at(slot.t_off[h] + static_cast<std::uint64_t>(col - 1)) : pad;
          t |= (kAcgt ? acgt_col_sel(code) : static_cast<std::uint32_t>(code)) << (8 * h);
        }
        nxt_t = t;
      } else {
        nxt_g = nxt_f = Ops::bits(sentinel);
        nxt_t = kAcgt ? 0x8888u : static_cast<std::uint32_t>(pad) | (static_cast<std::uint32_t>(pad) << 8);
      }
    };

    load_chunk(0);
    std::uint32_t cur_g = 0, cur_f = 0, cur_t = 0;
    std::uint32_t out_g = Ops::bits(sentinel), out_f = Ops::bits(sentinel), out_t = 0;
    std::uint32_t keep_g = 0, keep_f = 0;
    const int steps = wk.cols + W - 1;
    for (int s = 0; s < steps; ++s) {
      const int sl = s & (W - 1);
      // Prefetch the next chunk: narrow workers a chunk ahead, whole-warp
      // ones chunk_lead steps ahead (load_sl).
      if (sl == 0) {
        cur_g = nxt_g;
        cur_f = nxt_f;
        cur_t = nxt_t;
        if constexpr (W != kWarp)
          if (W * (s / W + 1) < wk.cols) load_chunk(s / W + 1);
      }
      if constexpr (W == kWarp)
        if (sl == load_sl && W * (s / W + 1) < wk.cols) load_chunk(s / W + 1);
      std::uint32_t in_g = Warp::shfl_up(out_g, 1);
      std::uint32_t in_f = Warp::shfl_up(out_f, 1);
      std::uint32_t in_t = Warp::shfl_up(out_t, 1);
      const std::uint32_t c_g = Warp::shfl(cur_g, gbase + sl);
      const std::uint32_t c_f = Warp::shfl(cur_f, gbase + sl);
      const std::uint32_t c_t = Warp::shfl(cur_t, gbase + sl);
      if (gl == 0) {
        in_g = c_g;
        in_f = c_f;
        in_t = c_t;
      }
      const int j = s - gl + 1;
      if (active && j >= 1 && j <= cols) {
        V g = Ops::from_bits(in_g), f = Ops::from_bits(in_f);
        strip_column<Ops, R, kMode == kLocal, kAcgt, kPrefixF>(st, g, f, static_cast<int>(kAcgt ? in_t : in_t & 0xFFu),
                                                               static_cast<int>((in_t >> 8) & 0xFFu), tab, neg_open,
                                                               neg_ext, floor_g, &a.sc);
        out_g = Ops::bits(g);
        out_f = Ops::bits(f);
        out_t = in_t;
        track_ends<Ops, R, kMode>(st, row0, j, pr, ends, runmax);
      }
      if (store_phase) {
        // The tile's bottom row, for the next tile: column jb, which the
        // group's last lane finished this step, is kept by lane (jb - 1) % W;
        // once W columns (or the row) are complete the group stores them at
        // once, coalesced, and publishes the progress (a release).
        const std::uint32_t b_g = Warp::shfl(out_g, gbase + W - 1);
        const std::uint32_t b_f = Warp::shfl(out_f, gbase + W - 1);
        const int jb = s - (W - 1) + 1;
        if (jb >= 1) {
          if (gl == ((jb - 1) & (W - 1))) {
            keep_g = b_g;
            keep_f = b_f;
          }
          if ((jb & (W - 1)) == 0 || jb == wk.cols) {
            const int col = ((jb - 1) & ~(W - 1)) + 1 + gl;
            if (need_store && col <= jb && col <= cols) {
              Warp::store_cg(&buf[col].g, keep_g);
              Warp::store_cg(&buf[col].f, keep_f);
            }
            publish_tile<Warp>(need_store && gl == 0, &prog[tile], jb < cols ? jb : cols);
          }
        }
      }
    }
    fold_strip<L, kMode>(ends);
  }
  // The worker's best end per problem: its lanes' partials reduced here by
  // shuffles (every lane of the warp takes part), so that the host
  // downloads and merges one partial a worker and problem instead of W --
  // W1's whole-warp batches: 20,000 partials a call instead of 640,000.
GPUALIGN_UNROLL
  for (int h = 0; h < 2; ++h) {
    Partial p{kNoCandidate, 0, 0, 0};
    if (h < L) {
      const int d = ends.tr[h];  // a transposed problem's rows are its target
      p = within_problem(make_partial<Ops>(ends.best[h], pr[h], open, Ops::get(runmax, h), a.sc.limit_g, d),
                         d ? pr[h].n : pr[h].m, d ? pr[h].m : pr[h].n);
    }
GPUALIGN_UNROLL
    for (int off = W / 2; off >= 1; off /= 2) {
      const int src = gbase + (gl ^ off);
      Partial o;
      o.score = static_cast<std::int32_t>(Warp::shfl(static_cast<std::uint32_t>(p.score), src));
      o.qend = static_cast<std::int32_t>(Warp::shfl(static_cast<std::uint32_t>(p.qend), src));
      o.tend = static_cast<std::int32_t>(Warp::shfl(static_cast<std::uint32_t>(p.tend), src));
      o.flags = static_cast<std::int32_t>(Warp::shfl(static_cast<std::uint32_t>(p.flags), src));
      p = better_partial(p, o);
    }
    if (gl == 0) a.out[static_cast<std::uint64_t>(wid) * 2 + h] = p;
  }
}

}  // namespace gpualign::kern
