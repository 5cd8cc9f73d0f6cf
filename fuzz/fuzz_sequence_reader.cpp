// libFuzzer target: FASTA/FASTQ bytes (plain or compressed) through
// SequenceReader.  Bad input may only raise gpualign::Error; a crash, a
// sanitizer report or any other exception is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "gpualign/error.hpp"
#include "gpualign/sequence_reader.hpp"

namespace {

// The reader takes a path, so the input goes into an in-memory file whose
// /proc/self/fd path htslib opens like any other file.
const std::string& input_path() {
  static const std::string path = [] {
    const int fd = ::memfd_create("gpualign-fuzz-input", 0);
    if (fd < 0) std::abort();
    return "/proc/self/fd/" + std::to_string(fd);
  }();
  return path;
}

void put(const std::uint8_t* data, std::size_t size) {
  const int fd = std::stoi(input_path().substr(std::string("/proc/self/fd/").size()));
  if (::ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
}

void read_everything(gpualign::Alphabet alphabet) {
  try {
    gpualign::SequenceReader reader(input_path(), alphabet);
    gpualign::Sequence s;
    while (reader.next(s)) {
      // What the reader promises about every record it returns.
      if (s.empty() || s.name().empty()) std::abort();
      if (reader.format() == gpualign::SequenceFormat::fastq &&
          reader.quality().size() != static_cast<std::size_t>(s.size()))
        std::abort();
    }
  } catch (const gpualign::Error& e) {
    const std::string msg = e.what();
    if (msg.find('\n') != std::string::npos) std::abort();  // messages are one line
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  put(data, size);
  read_everything(gpualign::Alphabet::dna);
  read_everything(gpualign::Alphabet::protein);
  return 0;
}
