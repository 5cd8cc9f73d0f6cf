// An outside program using the installed library, as the README shows.
#include <gpualign/gpualign.hpp>

#include <iostream>

int main() {
  using namespace gpualign;
  const Sequence query("feature", "ACGTTGCAACGT", Alphabet::dna);
  const Sequence target("locus", "TTTTACGTTGCAACGTTTTT", Alphabet::dna);
  const Alignment a = reference_align({query.codes(), target.codes()}, ScoringScheme::dna(),
                                      {AlignMode::semi_global, AlignOutput::cigar});
  std::cout << "score " << a.score << " target [" << a.tbeg << ", " << a.tend << ") " << a.cigar.to_string() << "\n";
  return a.score == 24 && a.tbeg == 4 && a.tend == 16 && a.cigar.to_string() == "12=" ? 0 : 1;
}
