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
// cpu
#include "gpualign/cpu_features.hpp"
// io
#include "gpualign/sequence_reader.hpp"
#include "gpualign/indexed_reference.hpp"
#include "gpualign/feature_parser.hpp"
#include "gpualign/feature_extractor.hpp"
#include "gpualign/alignment_writer.hpp"
// parallel
// dispatch
#include "gpualign/calibration_profile.hpp"
#include "gpualign/cost_model.hpp"
#include "gpualign/dispatcher.hpp"
#include "gpualign/trace_recorder.hpp"
#include "gpualign/bench_suite.hpp"
#include "gpualign/align_job.hpp"
