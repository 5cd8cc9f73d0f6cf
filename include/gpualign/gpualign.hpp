#pragma once
/// @file gpualign.hpp
/// The whole public API.  Includes no CUDA header: any C++20 compiler builds it.

#include "gpualign/error.hpp"
#include "gpualign/alphabet.hpp"
#include "gpualign/sequence.hpp"
#include "gpualign/scoring.hpp"
#include "gpualign/cigar.hpp"
#include "gpualign/alignment.hpp"
#include "gpualign/reference_aligner.hpp"
#include "gpualign/engine.hpp"
#include "gpualign/workloads.hpp"
// io
// parallel
// dispatch
