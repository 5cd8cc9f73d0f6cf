// run_align_job: read -> batch (bounded by cells) -> align -> write, in input order.
#include "gpualign/align_job.hpp"

#include <chrono>
#include <deque>
#include <memory>

#include "gpualign/error.hpp"
#include "gpualign/feature_extractor.hpp"
#include "gpualign/indexed_reference.hpp"
#include "gpualign/parallel_aligner.hpp"
#include "gpualign/sequence_reader.hpp"

namespace gpualign {
namespace {

// One query with what its output records need.
struct Query {
  Sequence forward;
  Sequence reverse;     // reverse complement, when both strands are aligned
  std::string quality;  // FASTQ qualities, for SAM/BAM
};

// One pair of a batch: which query, which target, which strand.
struct PairRef {
  std::size_t query;  // index into the batch's queries
  std::size_t target;
  char strand;
};

// Pulls queries from a FASTA/FASTQ file or from BED/GFF3 coordinates.
class QuerySource {
 public:
  explicit QuerySource(const AlignJob& job) {
    if (!job.features_path.empty()) {
      FeatureOptions fo;
      fo.format = job.features_format;
      fo.gff_type = job.feature_type;
      fo.alphabet = job.alphabet;
      features_ = std::make_unique<FeatureReader>(job.features_path, job.reference_path, fo);
    } else {
      reader_ = std::make_unique<SequenceReader>(job.query_path, job.alphabet);
    }
  }
  bool next(Query& q) {
    if (features_) {
      Feature f;
      if (!features_->next(f)) return false;
      q.forward = std::move(f.sequence);
      q.quality.clear();
      return true;
    }
    if (!reader_->next(q.forward)) return false;
    q.quality = reader_->quality();
    return true;
  }
  const std::string& path() const {
    static const std::string none;
    return reader_ ? reader_->path() : none;
  }

 private:
  std::unique_ptr<SequenceReader> reader_;
  std::unique_ptr<FeatureReader> features_;
};

ScoringScheme scoring_for(const AlignJob& job) {
  ScoringScheme s = job.scoring ? *job.scoring
                                : (job.alphabet == Alphabet::dna ? ScoringScheme::dna() : ScoringScheme::protein());
  if (s.alphabet() != job.alphabet)
    throw Error("the scoring scheme is for " + std::string(to_string(s.alphabet())) + " but the sequences are read as " +
                std::string(to_string(job.alphabet)));
  s.validate();
  return s;
}

}  // namespace

AlignSummary run_align_job(const AlignJob& job, const std::function<void(const AlignProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  if (job.reference_path.empty()) throw Error("no reference given (--ref)");
  if (job.query_path.empty() == job.features_path.empty())
    throw Error("give exactly one of a query file (--query) or feature coordinates (--bed / --gff)");
  if (job.both_strands && job.alphabet != Alphabet::dna) throw Error("--both-strands needs DNA sequences");
  const ScoringScheme scoring = scoring_for(job);

  // The output file is created (as a temporary) first, so that an unwritable
  // destination fails before any work; the targets are checked next.
  auto writer = open_alignment_writer(job.output_path, job.format, job.writer);
  const std::vector<Sequence> targets = SequenceReader::read_all(job.reference_path, job.alphabet);
  QuerySource source(job);
  writer->write_header(contigs_of(targets));

  ParallelAlignerConfig config;
  config.num_workers = job.threads;
  config.pool_type = parse_pool_type(job.pool);
  config.scoring = scoring;
  config.options = job.options;
  config.engine = job.engine;
  ParallelAligner aligner(config);

  AlignSummary summary;
  summary.targets = static_cast<std::int64_t>(targets.size());
  std::deque<Query> queries;  // the batch's queries (stable addresses)
  std::vector<PairRef> refs;
  std::vector<SequencePair> pairs;
  std::uint64_t batch_cells = 0;

  auto flush = [&] {
    if (refs.empty()) {
      queries.clear();
      return;
    }
    const std::vector<Alignment> results = aligner.align_pairs(pairs);
    std::size_t k = 0;
    for (std::size_t qi = 0; qi < queries.size(); ++qi) {
      const std::size_t first = k;
      while (k < refs.size() && refs[k].query == qi) ++k;
      std::size_t chosen_begin = first, chosen_end = k;
      if (job.best && k > first) {  // the best score; the first one on ties (input order)
        std::size_t best = first;
        for (std::size_t r = first + 1; r < k; ++r)
          if (results[r].status == AlignStatus::ok &&
              (results[best].status != AlignStatus::ok || results[r].score > results[best].score))
            best = r;
        chosen_begin = best;
        chosen_end = best + 1;
      }
      for (std::size_t r = chosen_begin; r < chosen_end; ++r) {
        const Query& q = queries[qi];
        const Sequence& t = targets[refs[r].target];
        AlignmentRecord rec;
        rec.query_name = q.forward.name();
        rec.query_length = q.forward.size();
        rec.query_text = q.forward.text();
        rec.query_quality = q.quality;
        rec.target_name = t.name();
        rec.target_length = t.size();
        rec.strand = refs[r].strand;
        rec.alignment = results[r];
        if (rec.alignment.status != AlignStatus::ok) ++summary.failed;
        writer->write(rec);
        ++summary.written;
      }
    }
    summary.alignments += static_cast<std::int64_t>(refs.size());
    summary.cells += batch_cells;
    queries.clear();
    refs.clear();
    pairs.clear();
    batch_cells = 0;
    if (progress) progress({summary.queries, summary.alignments, summary.cells, elapsed()});
  };

  Query q;
  while (source.next(q)) {
    const std::int64_t index = summary.queries++;
    if (job.pairs && index >= static_cast<std::int64_t>(targets.size()))
      throw Error("--pairs: the query file has more records than the " + std::to_string(targets.size()) +
                      " of the reference file",
                  source.path(), "record '" + q.forward.name() + "'");
    if (job.both_strands) q.reverse = q.forward.reverse_complement(q.forward.name());
    queries.push_back(std::move(q));
    const std::size_t qi = queries.size() - 1;
    const Query& stored = queries.back();
    auto add = [&](std::size_t t) {
      refs.push_back({qi, t, '+'});
      pairs.push_back({stored.forward.codes(), targets[t].codes()});
      batch_cells += pairs.back().cells();
      if (job.both_strands) {
        refs.push_back({qi, t, '-'});
        pairs.push_back({stored.reverse.codes(), targets[t].codes()});
        batch_cells += pairs.back().cells();
      }
    };
    if (job.pairs) add(static_cast<std::size_t>(index));
    else
      for (std::size_t t = 0; t < targets.size(); ++t) add(t);
    if (batch_cells >= job.batch_cells) flush();
    q = Query{};
  }
  flush();
  if (job.pairs && summary.queries != static_cast<std::int64_t>(targets.size()))
    throw Error("--pairs: the query file has " + std::to_string(summary.queries) + " records but the reference file has " +
                    std::to_string(targets.size()),
                job.query_path.empty() ? job.features_path : job.query_path);
  writer->close();
  summary.seconds = elapsed();
  return summary;
}

}  // namespace gpualign
