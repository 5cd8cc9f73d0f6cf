#include "gpualign/feature_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "gpualign/error.hpp"
#include "io/line_reader.hpp"

namespace gpualign {

namespace {

std::string line_ref(std::int64_t n) { return "line " + std::to_string(n); }

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Tab-separated fields; runs of blanks when the line has no tab (some BED
// files are space-separated).
std::vector<std::string_view> split_fields(std::string_view line, bool tabs_only) {
  std::vector<std::string_view> out;
  if (tabs_only || line.find('\t') != std::string_view::npos) {
    std::size_t start = 0;
    while (true) {
      const auto tab = line.find('\t', start);
      out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    // A trailing tab leaves an empty last field that is not a column.
    while (!out.empty() && trim(out.back()).empty()) out.pop_back();
    for (auto& f : out) f = trim(f);
  } else {
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      if (i == line.size()) break;
      const auto j = line.find_first_of(" \t", i);
      out.push_back(line.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
      i = j == std::string_view::npos ? line.size() : j;
    }
  }
  return out;
}

std::string shown(std::string_view field) {
  constexpr std::size_t kMax = 40;  // keep the message one short line
  std::string s(field.substr(0, kMax));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) == 127) c = '?';
  return "'" + s + (field.size() > kMax ? "...'" : "'");
}

// A whole non-negative number, nothing else.
std::int64_t parse_count(std::string_view field, const char* what, const std::string& file, std::int64_t line) {
  std::int64_t v = 0;
  const auto* first = field.data();
  const auto* last = field.data() + field.size();
  const bool digits = !field.empty() && std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; });
  const auto r = digits ? std::from_chars(first, last, v) : std::from_chars_result{first, std::errc::invalid_argument};
  if (r.ec == std::errc::result_out_of_range)
    throw Error(std::string(what) + " " + shown(field) + " is too large", file, line_ref(line));
  if (r.ec != std::errc() || r.ptr != last)
    throw Error(std::string(what) + " " + shown(field) + " is not a non-negative whole number", file, line_ref(line));
  return v;
}

char parse_strand(std::string_view field, bool allow_question, const std::string& file, std::int64_t line) {
  if (field == "+" || field == "-" || field == ".") return field[0];
  if (allow_question && field == "?") return '.';
  throw Error("strand " + shown(field) + " is not +, - or .", file, line_ref(line));
}

// %XX escapes of GFF3 column 1 and attribute values.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      const auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A comma-separated list of numbers (BED blockSizes / blockStarts; a
// trailing comma is customary).
std::vector<std::int64_t> parse_list(std::string_view field, const char* what, const std::string& file,
                                     std::int64_t line) {
  std::vector<std::int64_t> out;
  if (!field.empty() && field.back() == ',') field.remove_suffix(1);
  std::size_t start = 0;
  while (start <= field.size()) {
    const auto comma = field.find(',', start);
    const auto item = field.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    out.push_back(parse_count(item, what, file, line));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool is_word(std::string_view line, std::string_view word) {
  return line.starts_with(word) && (line.size() == word.size() || line[word.size()] == ' ' || line[word.size()] == '\t');
}

}  // namespace

FeatureFormat parse_feature_format(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  if (n == "auto" || n == "automatic") return FeatureFormat::automatic;
  if (n == "bed") return FeatureFormat::bed;
  if (n == "gff3" || n == "gff") return FeatureFormat::gff3;
  throw Error("unknown feature format '" + std::string(name) + "' (expected auto, bed or gff3)");
}

struct FeatureParser::Impl {
  FeatureFormat format;
  std::string type_filter;
  std::string file;
  std::int64_t line_no = 0;
  bool gff_done = false;  // after ##FASTA
  std::vector<FeatureRegion> regions;
  std::unordered_map<std::string, std::size_t> by_id;  // GFF3 ID -> index in regions
  std::vector<std::string> types;
  std::unordered_set<std::string> type_set;

  void bed_line(std::string_view line) {
    const auto f = split_fields(line, false);
    if (f.empty() || f[0].starts_with('#') || is_word(line, "track") || is_word(line, "browser")) return;
    if (f.size() < 3)
      throw Error("too few columns: BED needs chrom, start and end (found " + std::to_string(f.size()) + ")", file,
                  line_ref(line_no));
    FeatureRegion r;
    r.contig = std::string(f[0]);
    if (r.contig.empty()) throw Error("empty chrom (column 1)", file, line_ref(line_no));
    r.begin = parse_count(f[1], "start", file, line_no);
    r.end = parse_count(f[2], "end", file, line_no);
    if (r.begin > r.end)
      throw Error("start " + std::to_string(r.begin) + " > end " + std::to_string(r.end), file, line_ref(line_no));
    if (r.begin == r.end)
      throw Error("empty interval (start == end == " + std::to_string(r.end) + ")", file, line_ref(line_no));
    r.name = f.size() > 3 && !f[3].empty() && f[3] != "."
                 ? std::string(f[3])
                 : r.contig + "_" + std::to_string(r.begin) + "_" + std::to_string(r.end);
    if (f.size() > 5) r.strand = parse_strand(f[5], false, file, line_no);
    r.line = line_no;
    if (f.size() >= 12) {
      bed_blocks(r, f);
    } else {
      r.segments = {{r.begin, r.end}};
    }
    regions.push_back(std::move(r));
  }

  // BED12 blockCount / blockSizes / blockStarts: the spliced parts.
  void bed_blocks(FeatureRegion& r, const std::vector<std::string_view>& f) {
    const std::int64_t count = parse_count(f[9], "blockCount", file, line_no);
    const auto sizes = parse_list(f[10], "block size", file, line_no);
    const auto starts = parse_list(f[11], "block start", file, line_no);
    if (count < 1 || static_cast<std::int64_t>(sizes.size()) != count ||
        static_cast<std::int64_t>(starts.size()) != count)
      throw Error("blockCount " + std::to_string(count) + " does not match " + std::to_string(sizes.size()) +
                      " block sizes and " + std::to_string(starts.size()) + " block starts",
                  file, line_ref(line_no));
    const std::int64_t span = r.end - r.begin;
    std::int64_t prev_end = 0;
    for (std::int64_t i = 0; i < count; ++i) {
      const auto b = starts[i], s = sizes[i];
      if (s == 0) throw Error("block " + std::to_string(i + 1) + " is empty", file, line_ref(line_no));
      if ((i == 0 && b != 0) || b < prev_end || b > span || s > span - b)
        throw Error("block " + std::to_string(i + 1) + " [" + std::to_string(b) + ", +" + std::to_string(s) +
                        ") overlaps the previous block or leaves [0, " + std::to_string(span) +
                        ") (blocks must start at 0, ascend and end at end - start)",
                    file, line_ref(line_no));
      prev_end = b + s;
      r.segments.push_back({r.begin + b, r.begin + b + s});
    }
    if (prev_end != span)
      throw Error("the last block ends at " + std::to_string(prev_end) + ", not at end - start = " +
                      std::to_string(span),
                  file, line_ref(line_no));
  }

  void gff_line(std::string_view line) {
    if (gff_done) return;
    if (line.starts_with("##FASTA") || line.starts_with('>')) {
      gff_done = true;
      return;
    }
    if (trim(line).empty() || line.starts_with('#')) return;
    const auto f = split_fields(line, true);
    if (f.size() < 9)
      throw Error("too few columns: GFF3 needs 9 tab-separated columns (found " + std::to_string(f.size()) + ")",
                  file, line_ref(line_no));
    const std::string type(f[2]);
    if (type.empty()) throw Error("empty feature type (column 3)", file, line_ref(line_no));
    if (type_set.insert(type).second) types.push_back(type);
    const std::int64_t start = parse_count(f[3], "start", file, line_no);
    const std::int64_t end = parse_count(f[4], "end", file, line_no);
    if (start < 1) throw Error("start 0: GFF3 coordinates start at 1", file, line_ref(line_no));
    if (start > end)
      throw Error("start " + std::to_string(start) + " > end " + std::to_string(end), file, line_ref(line_no));
    const char strand = parse_strand(f[6], true, file, line_no);
    if (!type_filter.empty() && type != type_filter) return;

    FeatureRegion r;
    r.contig = percent_decode(f[0]);
    if (r.contig.empty() || r.contig == ".") throw Error("no seqid (column 1)", file, line_ref(line_no));
    r.begin = start - 1;
    r.end = end;
    r.strand = strand;
    r.type = type;
    r.line = line_no;
    r.segments = {{r.begin, r.end}};
    std::string id, name;
    std::string_view attrs = f[8];
    while (!attrs.empty()) {
      const auto semi = attrs.find(';');
      const auto item = trim(attrs.substr(0, semi));
      attrs = semi == std::string_view::npos ? std::string_view{} : attrs.substr(semi + 1);
      const auto eq = item.find('=');
      if (eq == std::string_view::npos) continue;
      const auto key = trim(item.substr(0, eq));
      if (key == "ID") id = percent_decode(trim(item.substr(eq + 1)));
      if (key == "Name") name = percent_decode(trim(item.substr(eq + 1)));
    }
    r.name = !id.empty()     ? id
             : !name.empty() ? name
                             : type + "_" + r.contig + "_" + std::to_string(start) + "_" + std::to_string(end);
    if (!id.empty()) {
      const auto [it, fresh] = by_id.emplace(id, regions.size());
      if (!fresh) {
        // Another part of a multi-line feature (a spliced CDS).
        FeatureRegion& first = regions[it->second];
        if (first.contig != r.contig || first.strand != r.strand || first.type != r.type)
          throw Error("feature '" + id + "' continues with another seqid, strand or type than on line " +
                          std::to_string(first.line),
                      file, line_ref(line_no));
        first.segments.push_back({r.begin, r.end});
        return;
      }
    }
    regions.push_back(std::move(r));
  }

  std::vector<FeatureRegion> finish() {
    for (auto& r : regions) {
      if (r.segments.size() < 2) continue;
      std::sort(r.segments.begin(), r.segments.end(),
                [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
      for (std::size_t i = 1; i < r.segments.size(); ++i)
        if (r.segments[i].begin < r.segments[i - 1].end)
          throw Error("parts of feature '" + r.name + "' overlap", file, line_ref(r.line));
      r.begin = r.segments.front().begin;
      r.end = r.segments.back().end;
    }
    return std::move(regions);
  }
};

FeatureParser::FeatureParser(FeatureFormat format, std::string gff_type, std::string file)
    : impl_(std::make_unique<Impl>()) {
  if (format == FeatureFormat::automatic)
    throw Error("FeatureParser needs a definite format (bed or gff3)", file);
  impl_->format = format;
  impl_->type_filter = std::move(gff_type);
  impl_->file = std::move(file);
}
FeatureParser::~FeatureParser() = default;
FeatureParser::FeatureParser(FeatureParser&&) noexcept = default;
FeatureParser& FeatureParser::operator=(FeatureParser&&) noexcept = default;

void FeatureParser::add_line(std::string_view line) {
  ++impl_->line_no;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (impl_->format == FeatureFormat::bed)
    impl_->bed_line(line);
  else
    impl_->gff_line(line);
}

std::vector<FeatureRegion> FeatureParser::finish() { return impl_->finish(); }
const std::vector<std::string>& FeatureParser::types_seen() const noexcept { return impl_->types; }

std::vector<FeatureRegion> parse_features(std::string_view text, FeatureFormat format, std::string_view gff_type,
                                          std::string_view file) {
  FeatureParser parser(format, std::string(gff_type), std::string(file));
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    parser.add_line(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return parser.finish();
}

namespace {

std::string strip_compression_suffix(std::string name) {
  for (const char* suffix : {".gz", ".bgz", ".bgzf"})
    if (name.ends_with(suffix)) return name.substr(0, name.size() - std::string_view(suffix).size());
  return name;
}

// Decides by name, else by the first line that is not blank or a BED header.
FeatureFormat sniff_format(const std::string& path, std::string_view first_data_line) {
  std::string lower = strip_compression_suffix(path);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.ends_with(".bed")) return FeatureFormat::bed;
  if (lower.ends_with(".gff") || lower.ends_with(".gff3")) return FeatureFormat::gff3;
  if (first_data_line.starts_with("##gff-version")) return FeatureFormat::gff3;
  const auto f = split_fields(first_data_line, true);
  const auto numeric = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (f.size() >= 9 && numeric(f[3]) && numeric(f[4]) && !numeric(f[1])) return FeatureFormat::gff3;
  return FeatureFormat::bed;
}

}  // namespace

std::vector<FeatureRegion> read_feature_regions(const std::string& path, FeatureFormat format,
                                                std::string_view gff_type) {
  io::LineReader in(path);
  std::vector<std::string> pending;  // lines read while sniffing the format
  std::string_view line;
  if (format == FeatureFormat::automatic) {
    bool decided = false;
    while (!decided && in.next(line)) {
      pending.emplace_back(line);
      const auto t = trim(line);
      const bool header = t.empty() || (t.starts_with('#') && !t.starts_with("##gff-version")) ||
                          is_word(t, "track") || is_word(t, "browser");
      if (!header) {
        format = sniff_format(path, t);
        decided = true;
      }
    }
    if (!decided) throw Error(in.line_number() == 0 ? "empty file (no features)" : "no features", path);
  }
  FeatureParser parser(format, std::string(gff_type), path);
  for (const auto& l : pending) parser.add_line(l);
  while (in.next(line)) parser.add_line(line);
  if (in.line_number() == 0) throw Error("empty file (no features)", path);
  auto regions = parser.finish();
  if (regions.empty()) {
    if (format == FeatureFormat::gff3 && !gff_type.empty()) {
      std::string present;
      const auto& seen = parser.types_seen();
      for (std::size_t i = 0; i < seen.size() && i < 12; ++i) present += (i ? ", " : "") + seen[i];
      if (seen.size() > 12) present += ", ...";
      throw Error("no features of type '" + std::string(gff_type) + "'" +
                      (present.empty() ? std::string() : " (types present: " + present + ")"),
                  path);
    }
    throw Error("no features", path);
  }
  return regions;
}

}  // namespace gpualign
