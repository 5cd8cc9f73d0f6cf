// The gpualign command's GPU paths on the fake CUDA device
// (tests/cuda/fake_cuda_runtime.hpp, LD_PRELOADed into the command): `align
// --backend gpu` and `--backend hybrid` write exactly what `--backend serial`
// writes, and `bench` runs its gpu rows and verifies them against serial.
// CUDA builds only.  Results only: the fake device's timings mean nothing.
#include <random>

#include "cli_harness.hpp"
#include "support/random_sequences.hpp"

using namespace gpualign;

namespace {

class FakeGpuCli : public test::CliTest {
 protected:
  test::RunResult run_on_fake_gpu(const std::string& args) const {
    return run(args, std::string("LD_PRELOAD='") + GPUALIGN_FAKE_CUDA_LIB + "'");
  }

  // Random pairs, half of them related, up to ~600 letters: the inter kernel,
  // CIGARs traced by the traceback kernel.
  void write_pairs(Alphabet a, std::uint64_t seed, int n) const {
    std::mt19937_64 rng(seed);
    std::string q, t;
    for (int i = 0; i < n; ++i) {
      const std::string qs = test::random_text(rng, a, 1 + rng() % 400, a == Alphabet::dna ? 0.01 : 0.0);
      const std::string ts = i % 2 ? test::random_text(rng, a, rng() % 100) + test::mutate(rng, a, qs, 0.1) +
                                         test::random_text(rng, a, rng() % 100)
                                   : test::random_text(rng, a, 1 + rng() % 400);
      q += ">q" + std::to_string(i) + "\n" + qs + "\n";
      t += ">t" + std::to_string(i) + "\n" + (ts.empty() ? std::string("A") : ts) + "\n";
    }
    write("q.fa", q);
    write("t.fa", t);
  }

  void expect_backends_agree(const std::string& common) const {
    for (const char* mode : {"local", "global", "semi-global"}) {
      const std::string args = common + " --ref t.fa --query q.fa --pairs --mode " + mode;
      const auto serial = run(args + " --backend serial -o serial.tsv");
      ASSERT_EQ(serial.status, 0) << serial.err;
      for (const char* backend : {"gpu", "hybrid"}) {
        const std::string out = std::string(backend) + ".tsv";
        const auto r = run_on_fake_gpu(args + " --backend " + backend + " -o " + out);
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err.find("no usable GPU"), std::string::npos) << "the fake device was not used: " << r.err;
        EXPECT_EQ(slurp(path(out)), slurp(path("serial.tsv"))) << backend << " " << mode;
      }
    }
  }
};

TEST_F(FakeGpuCli, DnaAlignOnTheGpuWritesWhatSerialWrites) {
  write_pairs(Alphabet::dna, 41, 40);
  expect_backends_agree("align --threads 2");
}

TEST_F(FakeGpuCli, ProteinAlignOnTheGpuWritesWhatSerialWrites) {
  write_pairs(Alphabet::protein, 42, 30);
  expect_backends_agree("align --protein --threads 2");
}

TEST_F(FakeGpuCli, BenchRunsAndVerifiesItsGpuRows) {
  // A profile measured on the CPU first: without one the bench calibrates,
  // and on the fake device that aligns ~6 Gcells through the emulated
  // kernels (tens of minutes).
  const auto cal = run("calibrate --profile p.json --seconds 0.01 --threads 2");
  ASSERT_EQ(cal.status, 0) << cal.err;
  const auto r =
      run_on_fake_gpu("bench --profile p.json --workload W1,P1 --backend serial,gpu --scale 0.005 --json b.json");
  ASSERT_EQ(r.status, 0) << r.err;  // 1 would mean a gpu row differed from serial
  const std::string json = slurp(path("b.json"));
  std::size_t gpu_rows = 0;
  for (std::size_t at = json.find("\"backend\": \"gpu\""); at != std::string::npos;
       at = json.find("\"backend\": \"gpu\"", at + 1))
    ++gpu_rows;
  EXPECT_EQ(gpu_rows, 2u) << json;
  EXPECT_EQ(json.find("\"verified\": false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"engine\": \"cuda\""), std::string::npos) << json;
}

}  // namespace
