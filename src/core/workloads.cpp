// Benchmark workloads: a random region, a diverged copy of it as the query,
// the region with random flanks as the target (DESIGN.md, "Workloads").
#include "gpualign/workloads.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "gpualign/error.hpp"

namespace gpualign {
namespace {

struct Shape {
  std::string_view name, description;
  std::size_t pairs, qmin, qmax, tmin, tmax;
  Alphabet alphabet;
};

constexpr Shape kShapes[] = {
    {"W1", "many-small: short features, reads", 20000, 150, 300, 300, 600, Alphabet::dna},
    {"W2", "medium: genes against their loci", 2000, 1000, 10000, 2000, 20000, Alphabet::dna},
    {"W3", "large: long features against regions", 20, 10000, 20000, 50000, 100000, Alphabet::dna},
    {"P1", "protein pairs, BLOSUM62", 5000, 100, 500, 100, 1000, Alphabet::protein},
};

std::string random_residues(std::mt19937_64& rng, Alphabet a, std::size_t n) {
  static constexpr std::string_view dna = "ACGT", aa = "ARNDCQEGHILKMFPSTWYV";
  const std::string_view letters = a == Alphabet::dna ? dna : aa;
  std::string s(n, 'A');
  for (auto& c : s) c = letters[rng() % letters.size()];
  return s;
}

// ~10% divergence: 6% substitutions, 2% insertions and 2% deletions of 1-5 letters.
std::string diverge(std::mt19937_64& rng, Alphabet a, const std::string& src) {
  std::uniform_real_distribution<double> u(0, 1);
  std::string out;
  out.reserve(src.size() + src.size() / 8);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const double r = u(rng);
    if (r < 0.06) out += random_residues(rng, a, 1);
    else if (r < 0.08) out += random_residues(rng, a, 1 + rng() % 5) + src[i];
    else if (r < 0.10) i += rng() % 5;
    else out += src[i];
  }
  return out;
}

std::size_t uniform(std::mt19937_64& rng, std::size_t lo, std::size_t hi) { return lo + rng() % (hi - lo + 1); }

}  // namespace

std::vector<SequencePair> Workload::pairs() const {
  std::vector<SequencePair> p(queries.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = {queries[i].codes(), targets[i].codes()};
  return p;
}

std::uint64_t Workload::cells() const {
  std::uint64_t c = 0;
  for (std::size_t i = 0; i < queries.size(); ++i)
    c += static_cast<std::uint64_t>(queries[i].size()) * static_cast<std::uint64_t>(targets[i].size());
  return c;
}

Workload make_workload(std::string_view name, std::uint64_t seed, double scale) {
  const Shape* shape = nullptr;
  for (const auto& s : kShapes)
    if (s.name == name) shape = &s;
  if (!shape) throw Error("unknown workload '" + std::string(name) + "' (W1, W2, W3 or P1)");
  Workload w{std::string(shape->name), std::string(shape->description),
             shape->alphabet == Alphabet::dna ? ScoringScheme::dna() : ScoringScheme::protein("BLOSUM62", 11, 1),
             {}, {}};
  const auto count = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(shape->pairs * scale)));
  // One generator per workload and seed; the name is mixed in so W1 and W2 differ.
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(name[0]) * 131 + name[1]);
  w.queries.reserve(count);
  w.targets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t qlen = uniform(rng, shape->qmin, shape->qmax);
    const std::size_t tlen = std::max(qlen, uniform(rng, shape->tmin, shape->tmax));
    const std::string region = random_residues(rng, shape->alphabet, qlen);
    std::string query = diverge(rng, shape->alphabet, region);
    if (query.empty()) query = region.substr(0, 1);
    const std::size_t flanks = tlen - qlen, left = flanks ? rng() % (flanks + 1) : 0;
    std::string target =
        random_residues(rng, shape->alphabet, left) + region + random_residues(rng, shape->alphabet, flanks - left);
    const std::string id = std::string(shape->name) + "_" + std::to_string(i);
    w.queries.emplace_back("q" + id, std::move(query), shape->alphabet);
    w.targets.emplace_back("t" + id, std::move(target), shape->alphabet);
  }
  return w;
}

std::vector<std::string> workload_names() {
  std::vector<std::string> names;
  for (const auto& s : kShapes) names.emplace_back(s.name);
  return names;
}

}  // namespace gpualign
