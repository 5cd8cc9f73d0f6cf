#include "gpualign/indexed_reference.hpp"

#include <htslib/bgzf.h>
#include <htslib/faidx.h>
#include <htslib/hts.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "gpualign/error.hpp"
#include "io/line_reader.hpp"

namespace gpualign {

namespace {

// An index older than its FASTA describes an earlier file: rebuild it rather
// than fetch wrong letters.
bool index_is_current(const std::string& index, const std::string& fasta) {
  struct stat si {}, sf {};
  if (::stat(index.c_str(), &si) != 0 || !S_ISREG(si.st_mode)) return false;
  if (::stat(fasta.c_str(), &sf) != 0) return false;
  return si.st_mtim.tv_sec > sf.st_mtim.tv_sec ||
         (si.st_mtim.tv_sec == sf.st_mtim.tv_sec && si.st_mtim.tv_nsec >= sf.st_mtim.tv_nsec);
}

// gzip magic without BGZF's extra field: faidx cannot seek in it.
enum class Compression { none, bgzf, gzip };
Compression compression_of(const std::string& path) {
  BGZF* fp = bgzf_open(path.c_str(), "r");
  if (!fp) throw Error(std::strerror(errno), path);
  const int c = bgzf_compression(fp);
  bgzf_close(fp);
  return c == ::bgzf ? Compression::bgzf : c == ::gzip ? Compression::gzip : Compression::none;
}

// Contig names and 64-bit lengths from a .fai (faidx_seq_len is 32-bit).
std::vector<Contig> parse_fai(const std::string& fai_path) {
  std::ifstream in(fai_path);
  if (!in) throw Error("cannot read the index", fai_path);
  std::vector<Contig> contigs;
  std::string line;
  std::int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto t1 = line.find('\t');
    if (t1 == std::string::npos || t1 == 0)
      throw Error("malformed index line (delete the .fai to rebuild it)", fai_path, "line " + std::to_string(n));
    Contig c;
    c.name = line.substr(0, t1);
    try {
      c.length = std::stoll(line.substr(t1 + 1));
    } catch (const std::exception&) {
      throw Error("malformed index line (delete the .fai to rebuild it)", fai_path, "line " + std::to_string(n));
    }
    contigs.push_back(std::move(c));
  }
  return contigs;
}

// Removes a temporary index directory however loading ends.
struct TempDir {
  std::string path;
  ~TempDir() {
    if (!path.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  }
};

}  // namespace

struct IndexedReference::Impl {
  std::string path;
  faidx_t* fai = nullptr;
  std::vector<Contig> contigs;
  std::unordered_map<std::string, std::int64_t> lengths;

  explicit Impl(std::string p) : path(std::move(p)) {
    if (path == "-") throw Error("a reference must be a file, not standard input (it is read through its index)");
    io::check_readable_file(path);
    const Compression comp = compression_of(path);
    if (comp == Compression::gzip)
      throw Error("compressed with plain gzip, which cannot be indexed; recompress it with bgzip "
                  "(zcat FILE | bgzip > FILE.gz) or decompress it",
                  path);
    std::string fai_path = path + ".fai";
    std::string gzi_path = path + ".gzi";
    const bool have_index = index_is_current(fai_path, path) &&
                            (comp != Compression::bgzf || index_is_current(gzi_path, path));
    TempDir temp;
    if (!have_index) {
      const std::string dir = std::filesystem::path(path).parent_path().string();
      if (::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0) {
        // Read-only directory: index into a temporary directory, used once.
        std::string tmpl = (std::filesystem::temp_directory_path() / "gpualign-fai-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw Error(std::string("cannot create a temporary directory: ") + std::strerror(errno), path);
        temp.path = tmpl;
        fai_path = tmpl + "/ref.fai";
        gzi_path = tmpl + "/ref.gzi";
      }
      if (fai_build3(path.c_str(), fai_path.c_str(), comp == Compression::bgzf ? gzi_path.c_str() : nullptr) != 0)
        throw Error("cannot index the reference (faidx needs FASTA or FASTQ whose lines within a record "
                    "all have the same length, plain or bgzip-compressed)",
                    path);
    }
    fai = fai_load3(path.c_str(), fai_path.c_str(), comp == Compression::bgzf ? gzi_path.c_str() : nullptr, 0);
    if (!fai) throw Error("cannot load the index " + fai_path, path);
    contigs = parse_fai(fai_path);
    for (const auto& c : contigs) lengths.emplace(c.name, c.length);
  }
  ~Impl() {
    if (fai) fai_destroy(fai);
  }
};

IndexedReference::IndexedReference(std::string path) : impl_(std::make_unique<Impl>(std::move(path))) {}
IndexedReference::~IndexedReference() = default;
IndexedReference::IndexedReference(IndexedReference&&) noexcept = default;
IndexedReference& IndexedReference::operator=(IndexedReference&&) noexcept = default;

const std::string& IndexedReference::path() const noexcept { return impl_->path; }
const std::vector<Contig>& IndexedReference::contigs() const noexcept { return impl_->contigs; }

std::int64_t IndexedReference::length(std::string_view name) const {
  const auto it = impl_->lengths.find(std::string(name));
  return it == impl_->lengths.end() ? -1 : it->second;
}

std::string IndexedReference::fetch(std::string_view name, std::int64_t begin, std::int64_t end) const {
  const std::int64_t len = length(name);
  if (len < 0) throw Error("no contig '" + std::string(name) + "' in the reference", impl_->path);
  if (begin < 0 || begin > end || end > len)
    throw Error("range [" + std::to_string(begin) + ", " + std::to_string(end) + ") is outside contig '" +
                    std::string(name) + "' of length " + std::to_string(len),
                impl_->path);
  if (begin == end) return {};
  hts_pos_t got = 0;
  const std::string cname(name);
  char* s = faidx_fetch_seq64(impl_->fai, cname.c_str(), begin, end - 1, &got);
  if (!s || got != end - begin) {
    std::free(s);
    throw Error("cannot read [" + std::to_string(begin) + ", " + std::to_string(end) + ") of contig '" + cname +
                    "' (is the .fai index stale? delete it to rebuild)",
                impl_->path);
  }
  std::string out(s, static_cast<std::size_t>(got));
  std::free(s);
  return out;
}

std::vector<Contig> reference_contigs(const std::string& fasta_path) {
  return IndexedReference(fasta_path).contigs();
}

std::vector<Contig> contigs_of(const std::vector<Sequence>& sequences) {
  std::vector<Contig> out;
  out.reserve(sequences.size());
  for (const auto& s : sequences) out.push_back({s.name(), s.size()});
  return out;
}

}  // namespace gpualign
