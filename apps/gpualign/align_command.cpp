// gpualign align: parses the options into an AlignJob and runs it.
#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "gpualign/align_job.hpp"
#include "gpualign/align_pipeline.hpp"
#include "gpualign/error.hpp"
#include "gpualign/memory_budget.hpp"
#include "progress_line.hpp"

namespace gpualign::cli {
namespace {

struct AlignArgs {
  std::string ref, query, bed, gff, feature_type = "gene";
  std::string mode = "local", format, output = "-", matrix, pool = "thread", engine;
  int match = 2, mismatch = -3, gap_open = 5, gap_extend = 2, n_score = 0;
  bool protein = false, score_only = false, pairs = false, best = false, both_strands = false, cigar_m = false;
  std::size_t threads = 0;
  std::string batch_cells = "256M";
  std::string backend = "auto", trace;  // dispatcher backend; timeline file
  std::string profile, memory_budget;    // calibration profile; host budget such as "4G"
};

std::uint64_t parse_count(const std::string& text, const char* option) {
  // "256M", "1G", "100000": a count with an optional k/M/G suffix (powers of 1000).
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    throw Error(std::string(option) + ": '" + text + "' is not a number");
  }
  const std::string suffix = text.substr(used);
  double mult = 1;
  if (suffix == "k" || suffix == "K") mult = 1e3;
  else if (suffix == "M" || suffix == "m") mult = 1e6;
  else if (suffix == "G" || suffix == "g") mult = 1e9;
  else if (!suffix.empty()) throw Error(std::string(option) + ": unknown suffix '" + suffix + "' in '" + text + "'");
  if (v * mult < 1) throw Error(std::string(option) + ": must be at least 1");
  return static_cast<std::uint64_t>(v * mult);
}

int run(const AlignArgs& a, CLI::App& cmd) {
  AlignJob job;
  job.reference_path = a.ref;
  job.query_path = a.query;
  if (!a.bed.empty() && !a.gff.empty()) throw Error("give --bed or --gff, not both");
  if (!a.bed.empty()) {
    job.features_path = a.bed;
    job.features_format = FeatureFormat::bed;
  }
  if (!a.gff.empty()) {
    job.features_path = a.gff;
    job.features_format = FeatureFormat::gff3;
    job.feature_type = a.feature_type;
  }
  if (job.query_path.empty() == job.features_path.empty())
    throw Error("give exactly one of --query FILE, --bed FILE or --gff FILE");

  const bool protein = a.protein || !a.matrix.empty();
  job.alphabet = protein ? Alphabet::protein : Alphabet::dna;
  if (protein) {
    if (cmd.count("--match") || cmd.count("--mismatch") || cmd.count("--n-score"))
      throw Error("--match/--mismatch/--n-score are for DNA; protein scores come from --matrix");
    const int open = cmd.count("--gap-open") ? a.gap_open : 11;
    const int extend = cmd.count("--gap-extend") ? a.gap_extend : 1;
    const std::string matrix = a.matrix.empty() ? "BLOSUM62" : a.matrix;
    job.scoring = std::filesystem::exists(matrix) ? ScoringScheme::protein_from_file(matrix, open, extend)
                                                  : ScoringScheme::protein(matrix, open, extend);
  } else {
    job.scoring = ScoringScheme::dna(a.match, a.mismatch, a.gap_open, a.gap_extend, a.n_score);
  }
  job.scoring->validate();

  job.options.mode = parse_align_mode(a.mode);
  job.format = a.format.empty() ? output_format_for_path(a.output, OutputFormat::tsv) : parse_output_format(a.format);
  if (a.score_only && required_output(job.format) == AlignOutput::cigar)
    throw Error("--score-only cannot be written as " + std::string(to_string(job.format)) +
                ": SAM and BAM records need a CIGAR (use --format tsv or paf)");
  job.options.output = a.score_only ? AlignOutput::begin_end : AlignOutput::cigar;
  job.both_strands = a.both_strands;
  job.pairs = a.pairs;
  job.best = a.best;
  job.output_path = a.output;
  job.writer.cigar_use_m = a.cigar_m;
  job.writer.command_line = command_line();
  job.threads = a.threads;
  job.pool = a.pool;
  job.engine = a.engine;
  job.batch_cells = parse_count(a.batch_cells, "--batch-cells");

  ProgressLine line;
  PipelineOptions pipeline;
  pipeline.backend = a.backend;
  pipeline.trace_path = a.trace;
  pipeline.profile_path = a.profile;
  if (!a.memory_budget.empty()) pipeline.memory_budget = parse_memory_budget(a.memory_budget);
  const AlignSummary s = run_align_pipeline(job, pipeline, [&](const AlignProgress& p) {
    char buf[200];
    int n = std::snprintf(buf, sizeof buf, "gpualign align: %lld queries, %lld alignments, %.3g Gcells, %.1f s, %.2f GCUPS",
                          static_cast<long long>(p.queries), static_cast<long long>(p.alignments), p.cells / 1e9,
                          p.seconds, p.seconds > 0 ? p.cells / p.seconds / 1e9 : 0.0);
    if (const double eta = eta_seconds(p); eta >= 0 && n > 0 && n < static_cast<int>(sizeof buf)) {
      const auto left = static_cast<long long>(eta + 0.5);
      std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ", %.0f%%, ETA %lldm%02llds",
                    100 * p.fraction, left / 60, left % 60);
    }
    line.show(buf);
  });
  if (s.failed)
    std::fprintf(stderr, "gpualign align: %lld of %lld pairs could not be aligned (written with status '*')\n",
                 static_cast<long long>(s.failed), static_cast<long long>(s.alignments));
  return 0;
}

}  // namespace

void add_align_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<AlignArgs>();
  CLI::App* cmd = app.add_subcommand("align", "Align features (FASTA/FASTQ, or BED/GFF3 coordinates) to reference sequences");
  cmd->footer(
      "Gap costs: a gap of length k costs OPEN + (k-1)*EXTEND, both positive (parasail, SSW, EMBOSS).\n"
      "From minimap2/BLAST penalties q + k*e (e.g. minimap2 -O 4 -E 2): OPEN = q+e, EXTEND = e (6 and 2).\n"
      "Coordinates are 0-based, half-open in TSV and PAF; SAM POS is 1-based.  Each query is aligned to every\n"
      "reference record (or record i to record i with --pairs); output follows input order.\n"
      "Bad input gives one line on stderr naming the file, record and problem, exit status 2, and no output file.");
  cmd->add_option("--ref,-r", args->ref, "Reference FASTA/FASTQ (plain or gzip); for --bed/--gff an indexable FASTA")
      ->required();
  cmd->add_option("--query,-q", args->query, "Features to align: FASTA or FASTQ, plain or gzip");
  cmd->add_option("--bed", args->bed, "Features as BED coordinates on the reference (minus strand reverse-complemented)");
  cmd->add_option("--gff", args->gff, "Features as GFF3 coordinates on the reference");
  cmd->add_option("--feature-type", args->feature_type, "GFF3 feature type to extract (column 3)")->capture_default_str();
  cmd->add_option("--mode,-m", args->mode,
                  "local (Smith-Waterman), global (Needleman-Wunsch) or semi-global (the query end to end, "
                  "target ends free)")
      ->check(CLI::IsMember({"local", "global", "semi-global"}))
      ->capture_default_str();
  cmd->add_option("--match", args->match, "DNA: score of equal bases")->capture_default_str();
  cmd->add_option("--mismatch", args->mismatch, "DNA: score of different bases (negative)")->capture_default_str();
  cmd->add_option("--n-score", args->n_score, "DNA: score of N and IUPAC ambiguity codes against anything")
      ->capture_default_str();
  cmd->add_option("--gap-open", args->gap_open, "Cost of a gap's first residue (protein default 11)")
      ->capture_default_str();
  cmd->add_option("--gap-extend", args->gap_extend, "Cost of each further residue (protein default 1)")
      ->capture_default_str();
  cmd->add_option("--matrix", args->matrix,
                  "Protein matrix: BLOSUM45, BLOSUM50, BLOSUM62 (default), BLOSUM80, PAM250, or an NCBI-format "
                  "matrix file; implies --protein");
  cmd->add_flag("--protein", args->protein, "Sequences are protein (default DNA)");
  cmd->add_flag("--score-only", args->score_only, "Scores and coordinates only, no CIGAR (faster)");
  cmd->add_flag("--pairs", args->pairs, "Align query record i with reference record i only");
  cmd->add_flag("--best", args->best, "Keep only the best-scoring target (and strand) per query");
  cmd->add_flag("--both-strands", args->both_strands, "DNA: also align the reverse complement of each query");
  cmd->add_option("--format,-f", args->format, "tsv, paf, sam or bam (default: from -o's extension, else tsv)")
      ->check(CLI::IsMember({"tsv", "paf", "sam", "bam"}));
  cmd->add_option("--output,-o", args->output, "Output file ('-' = stdout); written atomically")->capture_default_str();
  cmd->add_flag("--cigar-m", args->cigar_m, "SAM/BAM: write M instead of = and X");
  cmd->add_option("--threads,-t", args->threads, "Worker threads or processes (0 = usable cores)")->capture_default_str();
  cmd->add_option("--pool", args->pool, "thread, or process (forked workers: isolation and crash retry)")
      ->check(CLI::IsMember({"thread", "process"}))
      ->capture_default_str();
  cmd->add_option("--engine", args->engine, "Force an engine: reference, cpu, cuda (default: best available)");
  cmd->add_option("--backend", args->backend,
                  "auto (the cost model picks per batch), cpu, gpu, serial; also threads, processes, hybrid")
      ->check(CLI::IsMember({"auto", "cpu", "gpu", "serial", "threads", "processes", "hybrid"}))
      ->capture_default_str();
  cmd->add_option("--trace", args->trace,
                  "Write the run's timeline (Chrome trace JSON: open in ui.perfetto.dev) to FILE, and FILE.dot");
  cmd->add_option("--profile", args->profile,
                  "Calibration profile for the dispatcher (default: the one `gpualign calibrate` saved, else built-in)");
  cmd->add_option("--memory-budget", args->memory_budget,
                  "Host memory for alignment work, e.g. 4G, 512M, 50% (default: half of what this process may use)");
  cmd->add_option("--batch-cells", args->batch_cells, "Cells per batch (bounds memory), e.g. 256M")
      ->capture_default_str();
  cmd->callback([&action, args, cmd] { action = [args, cmd] { return run(*args, *cmd); }; });
}

}  // namespace gpualign::cli
