#include <gtest/gtest.h>

#include "gpualign/cigar.hpp"
#include "gpualign/error.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/sequence.hpp"

using namespace gpualign;

TEST(Cigar, PushMergesAndRenders) {
  Cigar c;
  c.push('=', 3);
  c.push('=');
  c.push('X');
  c.push('I', 2);
  c.push('=');
  EXPECT_EQ(c.to_string(), "4=1X2I1=");
  EXPECT_EQ(c.to_string(true), "5M2I1M");
  EXPECT_EQ(c.query_length(), 8);
  EXPECT_EQ(c.target_length(), 6);
  EXPECT_EQ(c.columns(), 8);
  EXPECT_EQ(c.matches(), 5);
  EXPECT_EQ(Cigar::parse(c.to_string()), c);
  EXPECT_EQ(Cigar().to_string(), "*");
}

TEST(Cigar, ReserveChangesNothingButRoom) {
  Cigar c;
  c.reserve(3);
  EXPECT_TRUE(c.empty());
  EXPECT_GE(c.ops().capacity(), 3u);
  c.push('=', 5);
  c.push('D', 2);
  c.push('=', 1);
  EXPECT_EQ(c, Cigar::parse("5=2D1="));
}

TEST(Cigar, ParseRejectsMalformed) {
  for (const char* bad : {"3", "=", "3M", "0=", "3=2", "3=x"}) EXPECT_THROW(Cigar::parse(bad), Error) << bad;
}

TEST(Cigar, RescoreAppliesAffineGaps) {
  const auto s = ScoringScheme::dna();  // 2 -3 open 5 extend 2
  Sequence q("q", "ACGTTTACG", Alphabet::dna), t("t", "ACGACG", Alphabet::dna);
  // ACG TTT ACG vs ACG --- ACG: 6 matches, one gap of 3 = 12 - (5 + 2*2)
  EXPECT_EQ(rescore_cigar(Cigar::parse("3=3I3="), q.codes(), t.codes(), 0, 0, s), 3);
  EXPECT_THROW(rescore_cigar(Cigar::parse("3=3I4="), q.codes(), t.codes(), 0, 0, s), Error);
  EXPECT_THROW(rescore_cigar(Cigar::parse("2=1X3I3="), q.codes(), t.codes(), 0, 0, s), Error);
}
