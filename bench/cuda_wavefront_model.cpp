// A model of the intra-sequence kernel's tile wavefront on the workloads,
// as given and with long targets on the rows (CudaTuning::transpose): the
// engine's own planning (kern::orient, make_slots, make_intra_plan), then
// each slot's steps on its workers (kern::intra_slot_steps: tile t starts
// kern::tile_lag(lead) steps after tile t - 1, or when its worker finished
// tile t - workers).  No GPU: it counts steps, not time (kernels/PERFORMANCE.md,
// "Long targets on the rows").
//
//   bench/cuda_wavefront_model [resident warps, default 2640: an H100's
//                               132 SMs x 5 blocks x 4 warps] [lead, default 8]
//                              [uneven] [begins]
// The launches are planned as with CudaTuning::even_blocks (the resident
// warps taken as 132 SMs' blocks of 4 warps each); "uneven": without it.
// With "begins" it also aligns each workload on the CPU engine (local,
// score and end; ~25 s on two cores) and counts the reverse
// pass's cells for begins: the whole reversed prefixes against the prefixes
// clipped to kern::begin_reach, as the CUDA engine runs it.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "gpualign/engine.hpp"
#include "gpualign/workloads.hpp"
#include "plan.hpp"

int main(int argc, char** argv) {
  using namespace gpualign;
  const int capacity = argc > 1 ? std::atoi(argv[1]) : 2640;
  const int lead = argc > 2 ? std::atoi(argv[2]) : kern::kDefaultChunkLead;
  if (capacity < 1 || lead < 1 || lead > kern::kWarp) {
    std::fprintf(stderr, "usage: cuda_wavefront_model [resident warps >= 1] [lead 1-32]\n");
    return 2;
  }
  bool even = true, begins = false;
  for (int i = 3; i < argc; ++i) {
    even = even && std::string(argv[i]) != "uneven";
    begins = begins || std::string(argv[i]) == "begins";
  }
  const int lag = kern::tile_lag(lead);
  std::printf("| workload | transposed | tiles | work, M warp-steps | longest slot, steps | warps launched | warps busy on average |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  for (const char* name : {"W1", "W2", "W3", "P1"}) {
    const Workload w = make_workload(name);
    const std::vector<SequencePair> pairs = w.pairs();
    for (const auto rule : {kern::TransposeRule::never, kern::TransposeRule::when_pays}) {
      kern::PlanScoring ps;
      ps.mode = kern::kLocal;
      ps.symmetric = kern::symmetric_matrix(w.scoring.matrix(), w.scoring.size());
      std::vector<kern::Job> jobs;
      for (const SequencePair& p : pairs)
        jobs.push_back(kern::Job{0, 0, static_cast<std::int32_t>(p.query.size()), static_cast<std::int32_t>(p.target.size())});
      kern::orient_jobs(jobs, ps, rule, kern::kWarp, kern::kIntraTileRows, lead);
      const auto transposed = std::count_if(jobs.begin(), jobs.end(), [](const kern::Job& j) { return j.transposed; });
      std::vector<int> order(jobs.size()), bias(jobs.size(), 0);
      std::iota(order.begin(), order.end(), 0);
      const kern::IntraPlan plan = kern::make_intra_plan(kern::make_slots(jobs, order, bias, 2), capacity, kern::kWarp,
                                                     kern::kIntraRows, false, lead, kern::WorkerShare::by_longest,
                                                     even ? 132 * 4 : 0);
      double work = 0, longest = 0, tiles = 0;
      for (const kern::Slot& s : plan.slots) {
        longest = std::max(longest, static_cast<double>(kern::intra_slot_steps(s.tiles, s.cols, s.workers, lag)));
        work += s.tiles * (s.cols + kern::kWarp - 1.0);
        tiles += s.tiles;
      }
      std::printf("| %s%s | %lld / %zu | %.0f | %.2f | %.0f | %zu | %s |\n", name,
                  rule == kern::TransposeRule::never ? " as given" : "", static_cast<long long>(transposed), jobs.size(),
                  tiles, work / 1e6, longest, plan.workers.size(),
                  plan.launches.size() > 1 ? "(several launches)" : std::to_string(static_cast<long long>(work / longest)).c_str());
    }
  }
  if (begins) {
    std::printf("\n| workload | reverse pass, whole prefixes, Gcells | clipped to begin_reach, Gcells | ratio |\n");
    std::printf("| --- | --- | --- | --- |\n");
    const auto cpu = make_engine("cpu");
    for (const char* name : {"W1", "W2", "W3", "P1"}) {
      const Workload w = make_workload(name);
      const std::vector<SequencePair> pairs = w.pairs();
      std::vector<Alignment> out(pairs.size());
      cpu->align(pairs, w.scoring, AlignOptions{AlignMode::local, AlignOutput::score_end}, out);
      double whole = 0, clipped = 0;
      for (const Alignment& a : out) {
        if (a.score <= 0) continue;
        const long long reach = kern::begin_reach(a.qend, a.tend, a.score, w.scoring.max_score(), w.scoring.gap_extend());
        whole += static_cast<double>(a.qend) * static_cast<double>(a.tend);
        clipped += static_cast<double>(std::min<long long>(a.qend, reach)) * static_cast<double>(std::min<long long>(a.tend, reach));
      }
      std::printf("| %s | %.3f | %.3f | %.2f |\n", name, whole / 1e9, clipped / 1e9, whole > 0 ? clipped / whole : 0.0);
    }
  }
  return 0;
}
