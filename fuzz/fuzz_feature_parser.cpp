// libFuzzer target: BED and GFF3 text through the feature line parsers.
// Bad lines may only raise gpualign::Error; every region that comes out must
// be well-formed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gpualign/error.hpp"
#include "gpualign/feature_parser.hpp"

namespace {

void check(const gpualign::FeatureRegion& r) {
  if (r.name.empty() || r.contig.empty() || r.segments.empty()) std::abort();
  if (r.begin < 0 || r.begin >= r.end) std::abort();
  if (r.strand != '+' && r.strand != '-' && r.strand != '.') std::abort();
  std::int64_t prev = r.begin;
  for (const auto& s : r.segments) {
    if (s.begin < prev || s.begin >= s.end || s.end > r.end) std::abort();
    prev = s.end;
  }
  if (r.segments.front().begin != r.begin || r.segments.back().end != r.end) std::abort();
}

void parse(std::string_view text, gpualign::FeatureFormat format, std::string_view type) {
  try {
    for (const auto& r : gpualign::parse_features(text, format, type, "fuzz")) check(r);
  } catch (const gpualign::Error& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  parse(text, gpualign::FeatureFormat::bed, {});
  parse(text, gpualign::FeatureFormat::gff3, {});
  parse(text, gpualign::FeatureFormat::gff3, "CDS");
  return 0;
}
