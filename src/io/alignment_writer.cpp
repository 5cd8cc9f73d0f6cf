#include "gpualign/alignment_writer.hpp"

#include <algorithm>
#include <cctype>

#include "gpualign/error.hpp"
#include "io/writers.hpp"

namespace gpualign {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}
}  // namespace

OutputFormat parse_output_format(std::string_view name) {
  const std::string n = lower(name);
  if (n == "tsv") return OutputFormat::tsv;
  if (n == "paf") return OutputFormat::paf;
  if (n == "sam") return OutputFormat::sam;
  if (n == "bam") return OutputFormat::bam;
  throw Error("unknown output format '" + std::string(name) + "' (expected tsv, paf, sam or bam)");
}

OutputFormat output_format_for_path(std::string_view path, OutputFormat fallback) {
  const std::string p = lower(path);
  const auto dot = p.rfind('.');
  if (dot == std::string::npos) return fallback;
  const std::string_view ext = std::string_view(p).substr(dot + 1);
  for (auto f : {OutputFormat::tsv, OutputFormat::paf, OutputFormat::sam, OutputFormat::bam})
    if (ext == to_string(f)) return f;
  return fallback;
}

std::string_view to_string(OutputFormat format) noexcept {
  switch (format) {
    case OutputFormat::tsv: return "tsv";
    case OutputFormat::paf: return "paf";
    case OutputFormat::sam: return "sam";
    case OutputFormat::bam: return "bam";
  }
  return "?";
}

AlignOutput required_output(OutputFormat format) noexcept {
  switch (format) {
    case OutputFormat::tsv: return AlignOutput::score_end;
    case OutputFormat::paf: return AlignOutput::begin_end;
    default: return AlignOutput::cigar;
  }
}

std::unique_ptr<AlignmentWriter> open_alignment_writer(const std::string& path, OutputFormat format,
                                                       const WriterOptions& options) {
  switch (format) {
    case OutputFormat::tsv: return io::make_tsv_writer(path, options);
    case OutputFormat::paf: return io::make_paf_writer(path, options);
    case OutputFormat::sam: return io::make_hts_writer(path, false, options);
    case OutputFormat::bam: return io::make_hts_writer(path, true, options);
  }
  throw Error("unknown output format", path);
}

}  // namespace gpualign
