#pragma once
// Traceback agent for large windows: whole-warp workers compute the CIGAR of
// one [begin, end) window (trace_agent.hpp takes the small ones, a thread
// each).
//
// Same recurrences, tie-breaks and walk back as trace_thread (trace_cell,
// trace_step), laid out like the intra-sequence kernel: tiles of
// kWarp * kTraceRows query rows; lane k keeps rows [8k, 8k + 8) of the tile
// (H, E, query codes) and runs one column behind lane k - 1, receiving H and
// F of the row above by a shuffle; lane 0 reads the previous tile's bottom
// row (H, F) from the window's boundary row, 32 columns at a time, one chunk
// ahead, and the warp writes this tile's bottom row back in place, 32 columns
// at a time, then publishes how far it got.  K workers share a window's
// tiles (worker k: tiles k, k + K, ...), each waiting only for the tile
// above its own, chunk by chunk, so the tiles run as a pipeline: a window of
// 60 tiles keeps up to 60 warps busy instead of one.  The host sizes each
// launch so that all its workers are resident at once (plan.hpp
// make_warp_trace_plan), so spinning cannot deadlock; a spin limit turns a
// bug into an error flag instead of a hang.
//
// Direction codes: at every wavefront step each lane stores one 32-bit word
// (its 8 rows' 4-bit codes at the column it computed), the warp's 32 words
// contiguous: word (tile, step s, lane k) at dirs[(tile * steps + s) * 32 + k]
// with steps = n + 31, so every store of the forward pass is one coalesced
// 128-byte line.  Cell (i, j) (1-based) is in tile (i-1) / 256, lane
// ((i-1) % 256) / 8, bits 4 * ((i-1) % 8), step j - 1 + lane.  About half a
// byte per cell, as for the thread-per-window kernel.
//
// Then the worker of the last tile walks back from (m, n), the whole warp in
// step: every step moves the wavefront step s = j - 1 + lane down by 0 to 2
// within a tile, so the warp keeps the current tile's direction words in a
// shared-memory cache (`walk`, 4 KiB) of two blocks of kWalkBlockSteps
// steps: the one holding s, which the walk reads, and the one below it,
// copied in by asynchronous 16-byte copies (Warp::copy16) while the walk
// goes on.  The walk reads shared memory, not device memory (its first
// form made one dependent L2 or DRAM access a step), and waits for a copy
// only when a block below has not landed yet, or at a new tile.  Lane 0 writes the
// ops; a last pass, 32 ops at a time, tells '=' from 'X'.

#include <cstdint>

#include "layout.hpp"
#include "tile_progress.hpp"
#include "trace_agent.hpp"

namespace gpualign::kern {

/// Worker `wid` of a launch (a.workers[wid]).  `tab`: the launch table's
/// plain part; `walk`: kWalkCacheWords words of this warp's own (shared
/// memory on the GPU).
GPUALIGN_EXEC_CHECK_DISABLE
template <class Warp>
GPUALIGN_HD_TEMPLATE inline void trace_warp(const TraceWarpArgs& a, int wid, const std::int32_t* tab,
                                            std::uint32_t* walk) {
  constexpr int R = kTraceRows;
  constexpr int kTile = kWarp * R;
  const int lane = Warp::lane();
  const Worker wk = a.workers[wid];
  const int wi = wk.slot;
  const Slot& slot = a.slots[wi];
  const int m = slot.prob[0].m, n = slot.prob[0].n;
  const int open = a.open, ext = a.ext, pad = a.pad_code;
  const int tiles = slot.tiles;
  const int steps = n + kWarp - 1;
  const std::uint64_t q = slot.q_off[0], t = slot.t_off[0];  // the window's codes in a.codes
  std::uint32_t* dirs = a.dirs + a.dir_at[wi];
  Cell2* buf = a.bufs + slot.buf;                   // column j at buf[j]: H and F of the previous tile's bottom row
  std::int32_t* prog = a.progress + slot.progress;  // tile t at prog[t]

  // H(m, n): on the boundary for an empty window, else from the lane that
  // holds row m at column n (in the last tile).
  int score = m == 0 ? gap_cost(n, open, ext) : n == 0 ? gap_cost(m, open, ext) : kTraceMinusInf;

  const int load_sl = chunk_lead_step(a.chunk_lead);  // when the next chunk is waited for and loaded

  int h[R], e[R], qo[R];
  for (int it = 0; it < wk.iters; ++it) {
    const int tile = wk.k + it * slot.workers;
    const int row0 = tile * kTile + lane * R;
GPUALIGN_UNROLL
    for (int r = 0; r < R; ++r) {
      const int p = row0 + r;
      qo[r] = (p < m ? a.codes.at(q + static_cast<std::uint64_t>(p)) : pad) * kTableStride;
      h[r] = gap_cost(p + 1, open, ext);  // H(i, 0)
      e[r] = kTraceMinusInf;
    }
    int diag_top = gap_cost(row0, open, ext);  // H(row0, 0)
    const bool first = tile == 0, last = tile == tiles - 1;
    const int want = m - 1 - row0;  // register row of the window's last row, if this lane has it
    std::uint32_t* dtile = dirs + static_cast<std::uint64_t>(tile) * static_cast<std::uint64_t>(steps) * kWarp;

    // Chunk c of the row above the tile (lane l: column 32c + 1 + l), once
    // the tile above has stored it.
    std::uint32_t nxt_h = 0, nxt_f = 0, nxt_t = 0;
    auto load_chunk = [&](int c) {
      if (!first) wait_for_tile<Warp>(lane == 0, &prog[tile - 1], kWarp * c + kWarp < n ? kWarp * c + kWarp : n, a.error);
      const int col = kWarp * c + 1 + lane;
      if (col <= n) {
        if (first) {
          nxt_h = static_cast<std::uint32_t>(gap_cost(col, open, ext));
          nxt_f = static_cast<std::uint32_t>(kTraceMinusInf);
        } else {
          nxt_h = Warp::load_cg(&buf[col].g);
          nxt_f = Warp::load_cg(&buf[col].f);
        }
        nxt_t = static_cast<std::uint32_t>(a.codes.at(t + static_cast<std::uint64_t>(col - 1)));
      } else {
        nxt_h = nxt_f = static_cast<std::uint32_t>(kTraceMinusInf);
        nxt_t = static_cast<std::uint32_t>(pad);
      }
    };
    load_chunk(0);
    std::uint32_t cur_h = 0, cur_f = 0, cur_t = 0;
    std::uint32_t out_h = 0, out_f = 0, out_t = 0;
    std::uint32_t keep_h = 0, keep_f = 0;
    for (int s = 0; s < steps; ++s) {
      const int sl = s & (kWarp - 1);
      if (sl == 0) {
        cur_h = nxt_h;
        cur_f = nxt_f;
        cur_t = nxt_t;
      }
      if (sl == load_sl) {
        const int c = s / kWarp + 1;
        if (kWarp * c < n) load_chunk(c);
      }
      std::uint32_t in_h = Warp::shfl_up(out_h, 1);
      std::uint32_t in_f = Warp::shfl_up(out_f, 1);
      std::uint32_t in_t = Warp::shfl_up(out_t, 1);
      const std::uint32_t c_h = Warp::shfl(cur_h, sl);
      const std::uint32_t c_f = Warp::shfl(cur_f, sl);
      const std::uint32_t c_t = Warp::shfl(cur_t, sl);
      if (lane == 0) {
        in_h = c_h;
        in_f = c_f;
        in_t = c_t;
      }
      const int j = s - lane + 1;
      std::uint32_t word = 0;
      if (j >= 1 && j <= n) {
        int h_up = static_cast<int>(in_h), f = static_cast<int>(in_f);
        word = trace_column<R>(h, e, qo, static_cast<int>(in_t), tab, open, ext, diag_top, h_up, f);
        out_h = static_cast<std::uint32_t>(h_up);
        out_f = static_cast<std::uint32_t>(f);
        out_t = in_t;
        if (j == n && want >= 0 && want < R) {
GPUALIGN_UNROLL
          for (int r = 0; r < R; ++r)
            if (r == want) score = h[r];
        }
      }
      dtile[static_cast<std::uint64_t>(s) * kWarp + lane] = word;
      if (!last) {
        // The tile's bottom row for the next tile, as in the intra kernel:
        // lane 31's column jb kept by lane (jb - 1) % 32, stored 32 at a
        // time; publish_tile's release orders these stores (and this tile's
        // direction words so far) before the progress that announces them.
        const std::uint32_t b_h = Warp::shfl(out_h, kWarp - 1);
        const std::uint32_t b_f = Warp::shfl(out_f, kWarp - 1);
        const int jb = s - (kWarp - 1) + 1;
        if (jb >= 1) {
          if (lane == ((jb - 1) & (kWarp - 1))) {
            keep_h = b_h;
            keep_f = b_f;
          }
          if ((jb & (kWarp - 1)) == 0 || jb == n) {
            const int col = ((jb - 1) & ~(kWarp - 1)) + 1 + lane;
            if (col <= jb) {
              Warp::store_cg(&buf[col].g, keep_h);
              Warp::store_cg(&buf[col].f, keep_f);
            }
            publish_tile<Warp>(lane == 0, &prog[tile], jb);
          }
        }
      }
    }
  }
  // Only the last tile's worker goes on.  When it is done, every tile above
  // is too: it waited for the full bottom row of the tile above, released
  // after all of that tile's direction words, and so on up.
  if ((tiles - 1) % slot.workers != wk.k) return;
  // The lane with row m at column n has the score; every lane's direction
  // words are in memory before the walk reads them.
  if (m > 0 && n > 0) score = static_cast<int>(Warp::shfl(static_cast<std::uint32_t>(score), ((m - 1) % kTile) / R));
  Warp::threadfence();
  Warp::syncwarp();

  // The walk, every lane in step (the same i, j, state), reading `walk`:
  // the current tile's direction words in blocks of kWalkBlockSteps steps,
  // block b (steps [16b, 16b + 16), the steps' 32 words each) in half b & 1
  // of the cache.  The walk reads the block holding s while the block
  // below it is copied into the other half (16 bytes a lane, 4 copies a
  // lane, in flight while the walk goes on: ~16 walk steps to land), so it
  // rarely waits for device memory; only a new tile (every 256 rows) loads
  // both blocks and waits.  Lane 0 writes the ops.
  char* out = a.ops + a.ops_at[wi];
  int len = 0;
  int i = m, j = n, state = 0;
  int ctile = -1, cblock = 0;
  // Copies steps [16b, last] (last < 16b + 16) of tile `tile` into their half.
  auto fetch = [&](int tile, int b, int last) {
    const int first_step = b * kWalkBlockSteps;
    const std::uint32_t* src =
        dirs + (static_cast<std::uint64_t>(tile) * static_cast<std::uint64_t>(steps) +
                static_cast<std::uint64_t>(first_step)) * kWarp;
    std::uint32_t* dst = walk + (b & 1) * kWalkBlockWords;
    const int words = (last - first_step + 1) * kWarp;
GPUALIGN_UNROLL
    for (int c = 0; c < kWalkBlockWords / (4 * kWarp); ++c) {
      const int w = 4 * (c * kWarp + lane);
      if (w < words) Warp::copy16(dst + w, src + w);
    }
  };
  while (i > 0 && j > 0) {
    const int tile = (i - 1) / kTile, k = ((i - 1) % kTile) / R, r = (i - 1) % R;
    const int s = j - 1 + k;
    const int b = s / kWalkBlockSteps;
    if (tile != ctile) {
      // A new tile: s's block up to s (words past the tile's last step
      // are never read), and the block below.  Copies still in flight to
      // the cache land first: two copies to one place race.
      Warp::syncwarp();  // every lane has read the old contents
      Warp::copy_wait();
      ctile = tile;
      cblock = b;
      fetch(tile, b, s);
      if (b > 0) fetch(tile, b - 1, b * kWalkBlockSteps - 1);
      Warp::copy_wait();
      Warp::syncwarp();
    } else if (b < cblock) {
      // Within a tile s falls by at most 2 a step: b is the block below,
      // in flight since the walk entered the one above.  Once it landed
      // (every lane's copies), the block below it goes to the half just
      // left.
      Warp::copy_wait();
      Warp::syncwarp();
      cblock = b;
      if (b > 0) fetch(tile, b - 1, b * kWalkBlockSteps - 1);
    }
    const unsigned d = (walk[(b & 1) * kWalkBlockWords + (s % kWalkBlockSteps) * kWarp + k] >> (4 * r)) & 15u;
    const char op = trace_step(d, state, i, j);
    if (op != 0) {
      if (lane == 0) out[len] = op;  // '=' stands for "diagonal" until the pass below
      ++len;
    }
  }
  Warp::copy_wait();  // no copy into this warp's cache outlives the walk
  // Diagonal ops become '=' or 'X', 32 ops at a time, a lane each: the
  // cells an op compares follow from how many ops before it consumed a
  // query / target code (a warp scan).  Done here rather than in the walk,
  // whose every diagonal step would otherwise wait for two code loads.
  Warp::syncwarp();  // lane 0's ops are visible to the warp
  int qlast = m - 1, tlast = n - 1;  // codes of the next op's cell
  for (int p0 = 0; p0 < len; p0 += kWarp) {
    const int p = p0 + lane;
    const char op = p < len ? out[p] : 0;
    const std::uint32_t own = static_cast<std::uint32_t>(op == '=' || op == 'I') |
                              (static_cast<std::uint32_t>(op == '=' || op == 'D') << 16);
    std::uint32_t incl = own;  // query codes (low half) and target codes (high half) consumed up to this op
GPUALIGN_UNROLL
    for (int dist = 1; dist < kWarp; dist <<= 1) {
      const std::uint32_t up = Warp::shfl_up(incl, dist);
      if (lane >= dist) incl += up;
    }
    const std::uint32_t before = incl - own;
    if (op == '=')
      out[p] = a.codes.at(q + static_cast<std::uint64_t>(qlast - static_cast<int>(before & 0xFFFFu))) ==
                       a.codes.at(t + static_cast<std::uint64_t>(tlast - static_cast<int>(before >> 16)))
                   ? '='
                   : 'X';
    const std::uint32_t all = Warp::shfl(incl, kWarp - 1);
    qlast -= static_cast<int>(all & 0xFFFFu);
    tlast -= static_cast<int>(all >> 16);
  }
  if (lane != 0) return;
  for (; i > 0; --i) out[len++] = 'I';
  for (; j > 0; --j) out[len++] = 'D';
  a.out[wi] = TraceResult{score, len};
}

}  // namespace gpualign::kern
