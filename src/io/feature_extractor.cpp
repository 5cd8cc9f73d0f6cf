#include "gpualign/feature_extractor.hpp"

#include "gpualign/error.hpp"

namespace gpualign {

namespace {

std::string where(const FeatureRegion& r) {
  return "line " + std::to_string(r.line) + ", feature '" + r.name + "'";
}

// Unknown contigs and regions past a contig's end, named by the feature
// file's line: the reference itself is fine, the feature file is wrong.
void check_region(const IndexedReference& ref, const FeatureRegion& r, std::string_view file) {
  const std::int64_t len = ref.length(r.contig);
  if (len < 0) {
    std::string known;
    const auto& contigs = ref.contigs();
    for (std::size_t i = 0; i < contigs.size() && i < 5; ++i) known += (i ? ", " : "") + contigs[i].name;
    if (contigs.size() > 5) known += ", ...";
    throw Error("unknown contig '" + r.contig + "': not in the reference " + ref.path() + " (it has " + known + ")",
                std::string(file), where(r));
  }
  for (const auto& s : r.segments)
    if (s.begin < 0 || s.begin >= s.end || s.end > len)
      throw Error("[" + std::to_string(s.begin) + ", " + std::to_string(s.end) + ") lies beyond the end of contig '" +
                      r.contig + "' (length " + std::to_string(len) + ")",
                  std::string(file), where(r));
}

}  // namespace

Feature extract_feature(const IndexedReference& reference, const FeatureRegion& region, Alphabet alphabet,
                        std::string_view features_file) {
  check_region(reference, region, features_file);
  std::string text;
  for (const auto& s : region.segments) text += reference.fetch(region.contig, s.begin, s.end);
  Feature f;
  try {
    f.sequence = Sequence(region.name, std::move(text), alphabet, reference.path());
    if (region.strand == '-') f.sequence = f.sequence.reverse_complement(region.name);
  } catch (const Error& e) {
    // The reference's letters (or a '-' protein feature) are at fault; say
    // which feature asked for them.
    throw Error(e.reason() + " (in " + reference.path() + ")", std::string(features_file), where(region));
  }
  f.contig = region.contig;
  f.begin = region.begin;
  f.end = region.end;
  f.strand = region.strand;
  f.segments = region.segments;
  return f;
}

struct FeatureReader::Impl {
  std::string features_path;
  FeatureOptions options;
  std::vector<FeatureRegion> regions;
  IndexedReference reference;
  std::size_t next = 0;

  Impl(const std::string& features, const std::string& ref, const FeatureOptions& opt)
      : features_path(features),
        options(opt),
        regions(read_feature_regions(features, opt.format, opt.gff_type)),
        reference(ref) {
    for (const auto& r : regions) check_region(reference, r, features_path);
  }
};

FeatureReader::FeatureReader(const std::string& features_path, const std::string& reference_path,
                             const FeatureOptions& options)
    : impl_(std::make_unique<Impl>(features_path, reference_path, options)) {}
FeatureReader::~FeatureReader() = default;
FeatureReader::FeatureReader(FeatureReader&&) noexcept = default;
FeatureReader& FeatureReader::operator=(FeatureReader&&) noexcept = default;

bool FeatureReader::next(Feature& out) {
  if (impl_->next >= impl_->regions.size()) return false;
  out = extract_feature(impl_->reference, impl_->regions[impl_->next], impl_->options.alphabet, impl_->features_path);
  ++impl_->next;
  return true;
}

std::vector<Feature> FeatureReader::read_all(const std::string& features_path, const std::string& reference_path,
                                             const FeatureOptions& options) {
  FeatureReader reader(features_path, reference_path, options);
  std::vector<Feature> all;
  all.reserve(reader.regions().size());
  Feature f;
  while (reader.next(f)) all.push_back(std::move(f));
  return all;
}

const std::vector<FeatureRegion>& FeatureReader::regions() const noexcept { return impl_->regions; }
double FeatureReader::fraction_read() const noexcept {
  const auto total = impl_->regions.size();
  return total ? static_cast<double>(impl_->next) / static_cast<double>(total) : 1.0;
}
const IndexedReference& FeatureReader::reference() const noexcept { return impl_->reference; }

}  // namespace gpualign
