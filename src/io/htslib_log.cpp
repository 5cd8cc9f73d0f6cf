// htslib prints its own "[E::...]" lines to stderr before returning an error
// code, which every io function already turns into a one-line gpualign::Error.
// Silence it once when the library loads, so that bad input gives exactly one
// line; GPUALIGN_HTS_LOG=1 keeps htslib's messages for debugging.
#include <htslib/hts.h>

#include <cstdlib>

namespace gpualign::detail {
namespace {
const bool kHtsLogQuiet = [] {
  if (std::getenv("GPUALIGN_HTS_LOG") == nullptr) hts_set_log_level(HTS_LOG_OFF);
  return true;
}();
}  // namespace
}  // namespace gpualign::detail
