// SAM and BAM through htslib, so that both are exactly what samtools reads.
#include <htslib/sam.h>

#include <cerrno>
#include <cstring>

#include "gpualign/error.hpp"
#include "gpualign_build_config.hpp"
#include "io/alignment_record_checks.hpp"
#include "io/atomic_output.hpp"
#include "io/writers.hpp"

namespace gpualign::io {

namespace {

std::uint32_t bam_op(char op, bool use_m) {
  switch (op) {
    case '=': return use_m ? BAM_CMATCH : BAM_CEQUAL;
    case 'X': return use_m ? BAM_CMATCH : BAM_CDIFF;
    case 'I': return BAM_CINS;
    case 'D': return BAM_CDEL;
    default: return BAM_CMATCH;
  }
}

// Appends a run, merging with the last one (=/X runs merge into one M).
void push_op(std::vector<std::uint32_t>& cigar, std::uint32_t op, std::int64_t len) {
  if (len <= 0) return;
  if (!cigar.empty() && bam_cigar_op(cigar.back()) == op) {
    len += bam_cigar_oplen(cigar.back());
    cigar.pop_back();
  }
  // BAM stores run lengths in 28 bits; split longer runs.
  constexpr std::int64_t kMax = (1 << 28) - 1;
  while (len > kMax) {
    cigar.push_back(bam_cigar_gen(kMax, op));
    len -= kMax;
  }
  cigar.push_back(bam_cigar_gen(len, op));
}

class HtsWriter final : public AlignmentWriter {
 public:
  HtsWriter(const std::string& path, bool bam, const WriterOptions& options)
      : out_(path), options_(options) {
    errno = 0;
    fp_ = sam_open(out_.write_path().c_str(), bam ? "wb" : "w");
    if (!fp_) throw Error(std::string("cannot open the output file: ") + std::strerror(errno ? errno : EIO), path);
    record_ = bam_init1();
    if (!record_) throw Error("out of memory", path);
  }

  ~HtsWriter() override {
    if (!closed_) abandon();
    if (record_) bam_destroy1(record_);
    if (header_) sam_hdr_destroy(header_);
  }

  void write_header(const std::vector<Contig>& targets) override {
    guarded([&] {
      if (header_) throw Error("write_header() called twice", path());
      header_ = sam_hdr_init();
      if (!header_ || sam_hdr_add_line(header_, "HD", "VN", "1.6", "SO", "unsorted", nullptr) != 0)
        throw Error("cannot build the SAM header", path());
      for (const auto& t : targets) {
        if (t.length < 1 || t.length > INT64_MAX / 2) throw Error("target '" + t.name + "' has no residues", path());
        if (sam_hdr_name2tid(header_, t.name.c_str()) >= 0)
          throw Error("two targets are named '" + t.name + "' (SAM needs unique @SQ names)", path());
        const std::string len = std::to_string(t.length);
        if (sam_hdr_add_line(header_, "SQ", "SN", t.name.c_str(), "LN", len.c_str(), nullptr) != 0)
          throw Error("cannot add @SQ line for target '" + t.name + "'", path());
      }
      const int pg = options_.command_line.empty()
                         ? sam_hdr_add_line(header_, "PG", "ID", "gpualign", "PN", "gpualign", "VN",
                                            GPUALIGN_VERSION_STRING, nullptr)
                         : sam_hdr_add_line(header_, "PG", "ID", "gpualign", "PN", "gpualign", "VN",
                                            GPUALIGN_VERSION_STRING, "CL", options_.command_line.c_str(), nullptr);
      if (pg != 0) throw Error("cannot add the @PG line", path());
      if (sam_hdr_write(fp_, header_) != 0) throw Error("cannot write the header", path());
    });
  }

  void write(const AlignmentRecord& r) override {
    guarded([&] {
      if (!header_) throw Error("write() before write_header()", path());
      check_record(r, path());
      build(r);
      if (sam_write1(fp_, header_, record_) < 0) throw Error("write failed", path(), pair_ref(r));
    });
  }

  void close() override {
    if (closed_) return;
    guarded([&] {
      if (!header_) throw Error("close() before write_header()", path());
      const int rc = sam_close(fp_);
      fp_ = nullptr;
      if (rc != 0) throw Error("write failed while closing", path());
      out_.commit();
      closed_ = true;
    });
  }

  const std::string& path() const noexcept override { return out_.destination(); }

 private:
  void build(const AlignmentRecord& r) {
    const Alignment& a = r.alignment;
    const bool mapped = a.status == AlignStatus::ok;
    const bool reverse = mapped && r.strand == '-';
    std::uint16_t flag = 0;
    std::int32_t tid = -1;
    hts_pos_t pos = -1;
    cigar_.clear();
    if (mapped) {
      flag = reverse ? BAM_FREVERSE : 0;
      tid = sam_hdr_name2tid(header_, r.target_name.c_str());
      if (tid < 0)
        throw Error("target '" + r.target_name + "' is not among the header's targets", path(), pair_ref(r));
      // htslib and samtools read a mapped record without a CIGAR as unmapped,
      // so a score-only alignment cannot be written faithfully.
      if (!has_cigar(r))
        throw Error("SAM/BAM need a CIGAR, but the alignment has none (ask for the CIGAR)", path(), pair_ref(r));
      pos = a.tbeg;
      // Query residues outside the alignment (local mode) are soft clips.
      push_op(cigar_, BAM_CSOFT_CLIP, a.qbeg);
      for (const auto& op : a.cigar.ops()) push_op(cigar_, bam_op(op.op, options_.cigar_use_m), op.length);
      push_op(cigar_, BAM_CSOFT_CLIP, r.query_length - a.qend);
    } else {
      flag = BAM_FUNMAP;
    }
    // SAM stores SEQ and QUAL on the reference's forward strand.
    const std::string* seq = &r.query_text;
    if (reverse && !r.query_text.empty()) {
      seq_ = reverse_complement_text(r.query_text);
      seq = &seq_;
    }
    qual_.clear();
    if (!r.query_quality.empty() && !r.query_text.empty()) {
      qual_.resize(r.query_quality.size());
      for (std::size_t i = 0; i < qual_.size(); ++i) {
        const char c = reverse ? r.query_quality[qual_.size() - 1 - i] : r.query_quality[i];
        qual_[i] = static_cast<char>(c >= 33 ? c - 33 : 0);
      }
    }
    const int rc = bam_set1(record_, r.query_name.size(), r.query_name.c_str(), flag, tid, pos,
                            mapped ? 255 : 0, cigar_.size(), cigar_.data(), -1, -1, 0, seq->size(),
                            seq->empty() ? nullptr : seq->c_str(), qual_.empty() ? nullptr : qual_.data(), 16);
    if (rc < 0)
      throw Error(r.query_name.size() > 254 ? "query name longer than SAM's 254 characters"
                                            : "cannot encode the record (" + std::string(std::strerror(errno)) + ")",
                  path(), pair_ref(r));
    if (mapped && bam_aux_update_int(record_, "AS", a.score) != 0)
      throw Error("cannot add the AS tag", path(), pair_ref(r));
  }

  template <class F>
  void guarded(F&& f) {
    if (failed_) throw Error("not written: an earlier write to this file failed", path());
    if (closed_) throw Error("write after close()", path());
    try {
      f();
    } catch (...) {
      failed_ = true;
      abandon();
      throw;
    }
  }

  void abandon() noexcept {
    if (fp_) sam_close(fp_);
    fp_ = nullptr;
    out_.discard();
  }

  AtomicOutput out_;
  WriterOptions options_;
  samFile* fp_ = nullptr;
  sam_hdr_t* header_ = nullptr;
  bam1_t* record_ = nullptr;
  std::vector<std::uint32_t> cigar_;
  std::string seq_, qual_;
  bool closed_ = false, failed_ = false;
};

}  // namespace

std::unique_ptr<AlignmentWriter> make_hts_writer(const std::string& path, bool bam, const WriterOptions& options) {
  return std::make_unique<HtsWriter>(path, bam, options);
}

}  // namespace gpualign::io
