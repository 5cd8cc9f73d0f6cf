#include "gpualign/error.hpp"

namespace gpualign {
namespace {
// "FILE: record R: REASON", leaving out the parts that are empty, on one line.
std::string compose(const std::string& reason, const std::string& file, const std::string& record) {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!record.empty()) out += record + ": ";
  out += reason;
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}
}  // namespace

Error::Error(std::string reason, std::string file, std::string record)
    : std::runtime_error(compose(reason, file, record)),
      reason_(std::move(reason)),
      file_(std::move(file)),
      record_(std::move(record)) {}

}  // namespace gpualign
