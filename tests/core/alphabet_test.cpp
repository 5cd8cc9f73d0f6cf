#include <gtest/gtest.h>

#include "gpualign/error.hpp"
#include "gpualign/sequence.hpp"

using namespace gpualign;

TEST(Alphabet, DnaIsCaseInsensitiveAndKeepsAmbiguityCodesApart) {
  EXPECT_EQ(encode_residue(Alphabet::dna, 'a'), encode_residue(Alphabet::dna, 'A'));
  EXPECT_EQ(encode_residue(Alphabet::dna, 'U'), encode_residue(Alphabet::dna, 'T'));
  EXPECT_GE(encode_residue(Alphabet::dna, 'N'), kDnaFirstAmbiguous);
  EXPECT_NE(encode_residue(Alphabet::dna, 'R'), encode_residue(Alphabet::dna, 'Y'));
  for (char c : std::string("0-.*! \n")) EXPECT_EQ(encode_residue(Alphabet::dna, c), -1) << c;
}

TEST(Alphabet, ProteinUsesNcbiOrder) {
  for (std::size_t i = 0; i < kProteinLetters.size(); ++i) {
    EXPECT_EQ(encode_residue(Alphabet::protein, kProteinLetters[i]), static_cast<int>(i));
    EXPECT_EQ(decode_residue(Alphabet::protein, static_cast<std::uint8_t>(i)), kProteinLetters[i]);
  }
  EXPECT_EQ(encode_residue(Alphabet::protein, 'U'), encode_residue(Alphabet::protein, 'X'));
  EXPECT_EQ(encode_residue(Alphabet::protein, '1'), -1);
}

TEST(Sequence, RejectsBadLettersNamingRecordAndPosition) {
  try {
    Sequence s("chr7", "ACGT5A", Alphabet::dna, "in.fa");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("in.fa"), std::string::npos) << what;
    EXPECT_NE(what.find("chr7"), std::string::npos) << what;
    EXPECT_NE(what.find("position 5"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
}

TEST(Sequence, ReverseComplement) {
  Sequence s("x", "AACGTNRy", Alphabet::dna);
  EXPECT_EQ(s.reverse_complement("x-").text(), "rYNACGTT");
  EXPECT_THROW(Sequence("p", "MKV", Alphabet::protein).reverse_complement("q"), Error);
}
