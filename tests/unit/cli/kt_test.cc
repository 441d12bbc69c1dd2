// `pathwise kt ...` end to end, in-process, on files the tests write.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/random.h"
#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::cli {
namespace {

using pw::testing::RunPathwise;

// A long-format log: `students` students, 3 skills, BKT-like learning.
std::string LongLog(int students, int first_student, std::uint64_t seed) {
  Rng rng(seed);
  std::string s = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n";
  for (int u = first_student; u < first_student + students; ++u) {
    bool known[3] = {false, rng.Bernoulli(0.3), rng.Bernoulli(0.5)};
    for (int t = 0; t < 20; ++t) {
      const int k = static_cast<int>(rng.Below(3));
      const bool c = known[k] ? rng.Bernoulli(0.9) : rng.Bernoulli(0.2);
      if (!known[k]) known[k] = rng.Bernoulli(0.25);
      s += std::to_string(u) + "\t" + std::to_string(k * 4 + static_cast<int>(rng.Below(4))) +
           "\t0\t" + (c ? "1" : "0") + "\t" + std::to_string(k) + "\n";
    }
  }
  return s;
}

class KtCli : public ::testing::Test {
 protected:
  void SetUp() override {
    train_ = dir_.File("train.tsv");
    test_ = dir_.File("test.tsv");
    pw::testing::WriteFile(train_, LongLog(80, 0, 1));
    pw::testing::WriteFile(test_, LongLog(30, 1000, 2));
  }
  pw::testing::TempDir dir_;
  std::string train_, test_;
};

TEST_F(KtCli, EvalJsonHasExactlyTheDocumentedKeys) {
  auto r = RunPathwise({"kt", "eval", "--train", train_, "--test", test_, "--format", "long",
                        "--model", "bkt", "--json", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"accuracy", "auc", "fit_seconds", "logloss", "model",
                                            "n_test", "n_train", "predict_seconds", "rmse"}));
  EXPECT_EQ(j["model"], "bkt");
  EXPECT_EQ(j["n_train"], 1600);
  EXPECT_EQ(j["n_test"], 600);
  EXPECT_GT(j["auc"].get<double>(), 0.7);
}

TEST_F(KtCli, EvalFoldsByStudent) {
  auto r = RunPathwise({"kt", "eval", "--data", train_, "--folds", "4", "--seed", "3", "--format",
                        "gervet", "--model", "best-lr", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_test"], 1600);   // every answer predicted once, out of fold
  EXPECT_EQ(j["n_train"], 1200);  // per fold, on average
  EXPECT_GT(j["auc"].get<double>(), 0.65);
  auto again = RunPathwise({"kt", "eval", "--data", train_, "--folds", "4", "--seed", "3",
                            "--format", "gervet", "--model", "best-lr", "--json"});
  EXPECT_EQ(nlohmann::json::parse(again.out)["auc"], j["auc"]);  // same seed, same folds
}

TEST_F(KtCli, FitThenPredictReproducesEval) {
  const std::string params = dir_.File("params.json");
  auto f = RunPathwise({"kt", "fit", "--data", train_, "--format", "long", "--model", "bkt-forget",
                        "--out", params, "--threads", "1"});
  ASSERT_EQ(f.code, 0) << f.err;
  auto p = RunPathwise({"kt", "predict", "--params", params, "--data", test_, "--format", "long"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(p.out.substr(0, p.out.find('\n')), "student,item,correct,p_correct");
  EXPECT_EQ(std::count(p.out.begin(), p.out.end(), '\n'), 601);
  auto bad =
      RunPathwise({"kt", "predict", "--params", train_, "--data", test_, "--format", "long"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "pathwise: " + train_ + ": expected a JSON object\n");
}

TEST_F(KtCli, BadInputExits2WithFileLineAndExpectation) {
  auto r = RunPathwise(
      {"kt", "eval", "--train", train_, "--test", test_, "--format", "csv", "--model", "bkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: --format: expected one of long, gervet, lines3, lines4, pykt, datashop, "
            "sim, got \"csv\"\n");
  r = RunPathwise(
      {"kt", "eval", "--train", train_, "--test", test_, "--format", "long", "--model", "dkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: --model: expected one of bkt, bkt-forget, irt, afm, pfa, das3h, best-lr, "
            "best-lr+, elo, got \"dkt\"\n");

  const std::string bad = dir_.File("bad.tsv");
  pw::testing::WriteFile(bad, "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n1\t2\t0\tyes\t3\n");
  r = RunPathwise(
      {"kt", "eval", "--train", bad, "--test", test_, "--format", "long", "--model", "bkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + bad + ":2: correct: expected 0 or 1, got \"yes\"\n");

  pw::testing::WriteFile(bad, "user_id\titem_id\tcorrect\tskill_id\n1\t2\t1\t3\n");
  r = RunPathwise(
      {"kt", "eval", "--train", bad, "--test", test_, "--format", "long", "--model", "bkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: " + bad +
                ":1: missing column \"timestamp\" (found: user_id, item_id, correct, skill_id)\n");

  pw::testing::WriteFile(bad, "3\n1,2,3\n1,0\n");
  r = RunPathwise(
      {"kt", "eval", "--train", bad, "--test", bad, "--format", "lines3", "--model", "bkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "pathwise: " + bad + ":3: answer line: expected 3 answers (as many as ids), got 2\n");

  r = RunPathwise({"kt", "eval", "--train", dir_.File("nope.tsv"), "--test", test_, "--format",
                   "long", "--model", "bkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: " + dir_.File("nope.tsv") + ": cannot open the file\n");

  r = RunPathwise({"kt", "eval", "--data", train_, "--format", "long", "--model", "bkt"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "pathwise: --folds: expected an integer >= 2 with --data, got 0\n");
}

// The Done-when check on a real split, small enough for the sanitizer build: statics test
// half as train, the other half as test, is not the benchmark (scripts/bench-kt-accuracy.sh
// is); this only proves the real files run end to end.
TEST(KtCliShared, GervetFilesRunEndToEnd) {
  auto dir = pw::testing::SharedData("statics2011-gervet");
  if (!dir) GTEST_SKIP() << "../shared/data/statics2011-gervet is absent";
  auto r = RunPathwise({"kt", "eval", "--data", (*dir / "preprocessed_data_test.csv").string(),
                        "--folds", "2", "--format", "gervet", "--model", "best-lr", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_test"], 33600);
  EXPECT_GT(j["auc"].get<double>(), 0.75);
}

}  // namespace
}  // namespace pw::cli
