#include "gpualign/sequence_reader.hpp"

#include <array>
#include <optional>

#include "gpualign/error.hpp"
#include "io/line_reader.hpp"

namespace gpualign {

using io::describe_char;
using io::LineReader;

namespace {

std::string line_ref(std::int64_t line) { return "line " + std::to_string(line); }
std::string line_record_ref(std::int64_t line, const std::string& name) {
  return "line " + std::to_string(line) + ", record '" + name + "'";
}

// A file that starts with these bytes is compressed in a way BGZF cannot read;
// naming it beats "not FASTA: found 'B'".
std::optional<std::string> foreign_compression(std::string_view first_line) {
  if (first_line.starts_with("BZh")) return "bzip2";
  if (first_line.starts_with("\xFD" "7zXZ")) return "xz";
  if (first_line.starts_with("\x28\xB5\x2F\xFD")) return "zstd";
  if (first_line.starts_with("PK\x03\x04")) return "zip";
  return std::nullopt;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

struct SequenceReader::Impl {
  LineReader in;
  Alphabet alphabet;
  SequenceFormat format = SequenceFormat::fasta;
  std::array<bool, 256> valid{};  // letters that are residues or ambiguity codes

  std::string header;               // the pending header line, without '>' / '@'
  std::int64_t header_line = 0;
  bool have_header = false;

  std::string description, quality;
  std::int64_t records = 0;

  Impl(std::string path, Alphabet a) : in(std::move(path)), alphabet(a) {
    for (int c = 0; c < 256; ++c) valid[c] = encode_residue(a, static_cast<char>(c)) >= 0;
    std::string_view line;
    bool found = false;
    while (!found && in.next(line)) found = !is_blank(line);
    if (!found) throw Error("empty file (no FASTA/FASTQ records)", in.path());
    if (line[0] == '>' || line[0] == '@') {
      format = line[0] == '>' ? SequenceFormat::fasta : SequenceFormat::fastq;
      take_header(line);
      return;
    }
    if (auto kind = foreign_compression(line))
      throw Error("compressed with " + *kind + "; only plain, gzip or bgzip text can be read", in.path());
    throw Error("not FASTA or FASTQ: a record must start with '>' or '@', found " + describe_char(line[0]),
                in.path(), line_ref(in.line_number()));
  }

  void take_header(std::string_view line) {
    header.assign(line.substr(1));
    header_line = in.line_number();
    have_header = true;
  }

  // Splits the pending header into name and description.
  std::string split_header() {
    const auto name_end = header.find_first_of(" \t");
    std::string name = header.substr(0, name_end);
    description.clear();
    if (name_end != std::string::npos) {
      const auto d = header.find_first_not_of(" \t", name_end);
      if (d != std::string::npos) description = header.substr(d);
    }
    if (name.empty())
      throw Error("record header has no name", in.path(), line_ref(header_line));
    return name;
  }

  // Appends the residues of a sequence line, skipping blanks, and rejects
  // anything that is not a residue with its exact line and column.
  void append_residues(std::string& text, std::string_view line, const std::string& name) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == ' ' || c == '\t') continue;
      if (!valid[static_cast<unsigned char>(c)])
        throw Error(describe_char(c) + " at column " + std::to_string(i + 1) + " is not a " +
                        std::string(to_string(alphabet)) + " residue or ambiguity code",
                    in.path(), line_record_ref(in.line_number(), name));
      text.push_back(c);
    }
  }

  Sequence make(std::string name, std::string text) {
    ++records;
    return Sequence(std::move(name), std::move(text), alphabet, in.path());
  }

  bool next_fasta(Sequence& out) {
    if (!have_header) return false;
    std::string name = split_header();
    const std::int64_t first_line = header_line;
    have_header = false;
    quality.clear();
    std::string text;
    std::string_view line;
    while (in.next(line)) {
      if (!line.empty() && line[0] == '>') {
        take_header(line);
        break;
      }
      append_residues(text, line, name);
    }
    if (text.empty())
      throw Error("record has no residues", in.path(), line_record_ref(first_line, name));
    out = make(std::move(name), std::move(text));
    return true;
  }

  bool next_fastq(Sequence& out) {
    if (!have_header) return false;
    std::string name = split_header();
    const std::int64_t first_line = header_line;
    have_header = false;
    std::string text;
    std::string_view line;
    bool plus = false;
    while (in.next(line)) {
      if (!line.empty() && line[0] == '+') {
        plus = true;
        break;
      }
      if (!line.empty() && line[0] == '@')
        throw Error("FASTQ record has no '+' line before the next record", in.path(),
                    line_record_ref(in.line_number(), name));
      append_residues(text, line, name);
    }
    if (!plus)
      throw Error("FASTQ record is truncated: no '+' line", in.path(), line_record_ref(first_line, name));
    if (text.empty())
      throw Error("record has no residues", in.path(), line_record_ref(first_line, name));
    // Qualities may wrap like the sequence; a quality line may start with '@',
    // so lines are taken until the qualities are as long as the sequence.
    quality.clear();
    while (quality.size() < text.size() && in.next(line)) {
      for (std::size_t i = 0; i < line.size(); ++i)
        if (line[i] < '!' || line[i] > '~')
          throw Error(describe_char(line[i]) + " at column " + std::to_string(i + 1) +
                          " is not a FASTQ quality letter ('!' to '~')",
                      in.path(), line_record_ref(in.line_number(), name));
      quality.append(line);
    }
    if (quality.size() != text.size())
      throw Error("quality length " + std::to_string(quality.size()) + " differs from sequence length " +
                      std::to_string(text.size()),
                  in.path(), line_record_ref(in.line_number(), name));
    while (in.next(line)) {
      if (is_blank(line)) continue;
      if (line[0] != '@')
        throw Error("expected '@' at the start of a FASTQ record, found " + describe_char(line[0]),
                    in.path(), line_ref(in.line_number()));
      take_header(line);
      break;
    }
    out = make(std::move(name), std::move(text));
    return true;
  }
};

SequenceReader::SequenceReader(std::string path, Alphabet alphabet)
    : impl_(std::make_unique<Impl>(std::move(path), alphabet)) {}
SequenceReader::~SequenceReader() = default;
SequenceReader::SequenceReader(SequenceReader&&) noexcept = default;
SequenceReader& SequenceReader::operator=(SequenceReader&&) noexcept = default;

bool SequenceReader::next(Sequence& out) {
  return impl_->format == SequenceFormat::fasta ? impl_->next_fasta(out) : impl_->next_fastq(out);
}

std::vector<Sequence> SequenceReader::read_all(const std::string& path, Alphabet alphabet) {
  SequenceReader reader(path, alphabet);
  std::vector<Sequence> all;
  Sequence s;
  while (reader.next(s)) all.push_back(std::move(s));
  return all;
}

const std::string& SequenceReader::path() const noexcept { return impl_->in.path(); }
Alphabet SequenceReader::alphabet() const noexcept { return impl_->alphabet; }
SequenceFormat SequenceReader::format() const noexcept { return impl_->format; }
const std::string& SequenceReader::description() const noexcept { return impl_->description; }
const std::string& SequenceReader::quality() const noexcept { return impl_->quality; }
std::int64_t SequenceReader::records_read() const noexcept { return impl_->records; }
double SequenceReader::fraction_read() const noexcept { return impl_->in.fraction_read(); }

Alphabet guess_alphabet(const std::string& path) {
  // Protein reads every letter, so the scan itself rejects only non-letters.
  SequenceReader reader(path, Alphabet::protein);
  constexpr std::string_view dna_letters = "ACGTUNRYSWKMBDHVacgtunryswkmbdhv";
  std::int64_t seen = 0;
  Sequence s;
  while (seen < 100000 && reader.next(s)) {
    for (char c : s.text())
      if (dna_letters.find(c) == std::string_view::npos) return Alphabet::protein;
    seen += s.size();
  }
  return Alphabet::dna;
}

}  // namespace gpualign
