// run_align_job: a pipeline of three stages on a HierarchicalExecutor, joined
// by bounded queues: read (queries -> batches bounded by cells) -> align (the
// Dispatcher picks each batch's backend) -> write (input order).  Memory is
// bounded by the batch size times the queue depth, not by the input.
#include "gpualign/align_job.hpp"

#include <chrono>
#include <deque>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <memory>

#include "gpualign/error.hpp"
#include "gpualign/feature_extractor.hpp"
#include "gpualign/indexed_reference.hpp"
#include "dispatch/bounded_queue.hpp"
#include "gpualign/align_pipeline.hpp"
#include "gpualign/dispatcher.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/hierarchical_executor.hpp"
#include "gpualign/trace_recorder.hpp"
#include "gpualign/worker_defaults.hpp"
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
  double fraction_read() const noexcept { return features_ ? features_->fraction_read() : reader_->fraction_read(); }
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


// One batch travelling through the stages.  The queries live in a deque so
// the pairs' views of their codes stay valid while the batch moves.
struct Batch {
  std::uint64_t number = 0;
  std::deque<Query> queries;
  std::vector<PairRef> refs;
  std::vector<SequencePair> pairs;
  std::uint64_t cells = 0;
  std::int64_t queries_read = 0;  // queries read when this batch closed
  double fraction_read = -1;      // share of the query input read then
  std::vector<Alignment> results;
};
using BatchPtr = std::shared_ptr<Batch>;

}  // namespace

double eta_seconds(const AlignProgress& p) noexcept {
  if (p.fraction < 0.01 || p.seconds <= 0) return -1;
  return p.fraction >= 1 ? 0 : p.seconds * (1 - p.fraction) / p.fraction;
}

AlignSummary run_align_job(const AlignJob& job, const std::function<void(const AlignProgress&)>& progress) {
  return run_align_pipeline(job, PipelineOptions{}, progress);
}

AlignSummary run_align_pipeline(const AlignJob& job, const PipelineOptions& pipeline,
                                const std::function<void(const AlignProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  if (job.reference_path.empty()) throw Error("no reference given (--ref)");
  if (job.query_path.empty() == job.features_path.empty())
    throw Error("give exactly one of a query file (--query) or feature coordinates (--bed / --gff)");
  if (job.both_strands && job.alphabet != Alphabet::dna) throw Error("--both-strands needs DNA sequences");
  const ScoringScheme scoring = scoring_for(job);

  std::optional<TraceRecorder> trace;
  if (!pipeline.trace_path.empty()) trace.emplace();

  // The dispatcher: the backend asked for, the engine named (a CUDA engine
  // name forces the GPU), the pool type for parallel CPU work.
  DispatcherConfig dc;
  dc.scoring = scoring;
  dc.options = job.options;
  dc.backend = parse_backend(pipeline.backend);
  dc.cpu_pool = parse_pool_type(job.pool);
  dc.num_workers = job.threads;
  if (!pipeline.profile_path.empty()) dc.profile = load_profile(pipeline.profile_path);
  if (!job.engine.empty()) {
    if (job.engine == "cuda") {
      dc.backend = Backend::gpu;
    } else {
      dc.cpu_engine = job.engine;
      dc.gpu_engine.clear();  // an engine was named: use only it
    }
  }
  std::optional<MemoryBudget> budget;
  if (pipeline.memory_budget) {
    budget.emplace(pipeline.memory_budget);
    dc.host_budget = &*budget;
  }
  if (trace) dc.trace = &*trace;
  Dispatcher dispatcher(dc);

  // The output file is created (as a temporary) first, so that an unwritable
  // destination fails before any work; the targets are checked next.
  auto writer = open_alignment_writer(job.output_path, job.format, job.writer);
  const std::vector<Sequence> targets = SequenceReader::read_all(job.reference_path, job.alphabet);
  QuerySource source(job);
  writer->write_header(contigs_of(targets));

  AlignSummary summary;
  summary.targets = static_cast<std::int64_t>(targets.size());
  detail::BoundedQueue<BatchPtr> to_align(pipeline.queue_depth), to_write(pipeline.queue_depth);

  // The first real error of any stage (not the cancellations it causes).
  std::mutex err_mu;
  std::exception_ptr first_error;
  auto fail = [&](std::exception_ptr e) {
    {
      std::lock_guard lock(err_mu);
      if (!first_error) first_error = e;
    }
    to_align.cancel();
    to_write.cancel();
  };
  auto stage = [&](const char* name, auto&& body) {
    return [&, name, body]() {
      if (trace) trace->name_thread(std::string("stage ") + name);
      try {
        body();
      } catch (const detail::QueueCancelled&) {
        // another stage failed first; its error is the one reported
      } catch (...) {
        fail(std::current_exception());
      }
    };
  };
  auto record_wait = [&](const char* what, double seconds) {
    if (trace && seconds > 1e-4) trace->complete(what, "wait", trace->now() - seconds, seconds);
  };

  auto read_stage = [&] {
    std::int64_t queries = 0;
    std::uint64_t number = 0;
    auto batch = std::make_shared<Batch>();
    auto flush = [&] {
      if (batch->refs.empty() && batch->queries.empty()) return;
      batch->number = number++;
      batch->queries_read = queries;
      batch->fraction_read = source.fraction_read();
      if (trace) trace->counter("batches waiting to align", static_cast<double>(to_align.size()));
      record_wait("wait: align queue full", to_align.push(std::move(batch)));
      batch = std::make_shared<Batch>();
    };
    Query q;
    auto span = trace ? trace->span("read batch 0", "stage") : TraceRecorder::Span{};
    while (source.next(q)) {
      const std::int64_t index = queries++;
      if (job.pairs && index >= static_cast<std::int64_t>(targets.size()))
        throw Error("--pairs: the query file has more records than the " + std::to_string(targets.size()) +
                        " of the reference file",
                    source.path(), "record '" + q.forward.name() + "'");
      if (job.both_strands) q.reverse = q.forward.reverse_complement(q.forward.name());
      batch->queries.push_back(std::move(q));
      const std::size_t qi = batch->queries.size() - 1;
      const Query& stored = batch->queries.back();
      auto add = [&](std::size_t t) {
        batch->refs.push_back({qi, t, '+'});
        batch->pairs.push_back({stored.forward.codes(), targets[t].codes()});
        batch->cells += batch->pairs.back().cells();
        if (job.both_strands) {
          batch->refs.push_back({qi, t, '-'});
          batch->pairs.push_back({stored.reverse.codes(), targets[t].codes()});
          batch->cells += batch->pairs.back().cells();
        }
      };
      if (job.pairs) add(static_cast<std::size_t>(index));
      else
        for (std::size_t t = 0; t < targets.size(); ++t) add(t);
      if (batch->cells >= job.batch_cells) {
        span.end();
        flush();
        if (trace) span = trace->span("read batch " + std::to_string(number), "stage");
      }
      q = Query{};
    }
    span.end();
    flush();
    if (job.pairs && queries != static_cast<std::int64_t>(targets.size()))
      throw Error("--pairs: the query file has " + std::to_string(queries) + " records but the reference file has " +
                      std::to_string(targets.size()),
                  job.query_path.empty() ? job.features_path : job.query_path);
    to_align.close();
  };

  auto align_stage = [&] {
    for (;;) {
      double waited = 0;
      std::optional<BatchPtr> b = to_align.pop(&waited);
      record_wait("wait: no batch to align", waited);
      if (!b) break;
      Batch& batch = **b;
      {
        auto span = trace ? trace->span("align batch " + std::to_string(batch.number), "stage") : TraceRecorder::Span{};
        if (trace) {
          span.arg("pairs", std::to_string(batch.pairs.size()));
          span.arg("cells", std::to_string(batch.cells));
        }
        batch.results = dispatcher.align(batch.pairs);
        if (trace) span.arg("backend", dispatcher.stats().backends());
      }
      record_wait("wait: write queue full", to_write.push(std::move(*b)));
    }
    to_write.close();
  };

  auto write_stage = [&] {
    for (;;) {
      double waited = 0;
      std::optional<BatchPtr> b = to_write.pop(&waited);
      record_wait("wait: no batch to write", waited);
      if (!b) break;
      Batch& batch = **b;
      auto span = trace ? trace->span("write batch " + std::to_string(batch.number), "stage") : TraceRecorder::Span{};
      const std::vector<Alignment>& results = batch.results;
      const auto& refs = batch.refs;
      std::size_t k = 0;
      for (std::size_t qi = 0; qi < batch.queries.size(); ++qi) {
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
          const Query& q = batch.queries[qi];
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
      summary.queries = batch.queries_read;
      summary.alignments += static_cast<std::int64_t>(refs.size());
      summary.cells += batch.cells;
      if (progress) progress({summary.queries, summary.alignments, summary.cells, elapsed(), batch.fraction_read});
    }
  };

  // Three long-running stages; the align stage's parallel work runs on the
  // executor's pool too, so it gets a worker per CPU besides the two I/O stages.
  const std::size_t cpu_workers = job.threads ? job.threads : default_workers(WorkloadKind::cpu_bound);
  HierarchicalExecutor executor(cpu_workers + 2);
  executor.add_task("read", stage("read", read_stage), {}, {.cost = 1});
  executor.add_task("align", stage("align", align_stage), {}, {.cost = 10, .max_threads = cpu_workers});
  executor.add_task("write", stage("write", write_stage), {}, {.cost = 1});
  const double dag_start = trace ? trace->now() : 0;
  const ExecutionReport report = executor.execute_collect();
  if (trace) {
    trace->add_report(report, dag_start, "stage: ");
    trace->write(pipeline.trace_path);
    std::ofstream dot(pipeline.trace_path + ".dot");
    dot << report.to_dot();
  }
  if (first_error) std::rethrow_exception(first_error);  // the writer's destructor drops the temporary file
  if (!report.ok()) throw TaskGraphError(report);
  writer->close();
  summary.seconds = elapsed();
  return summary;
}

}  // namespace gpualign
