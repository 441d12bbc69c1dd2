// `pathwise kt fit|eval --db`: knowledge tracing on the evidence a Pathwise store holds (the
// demo school's), and the parameters stored where learner profiles read them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "ingest/framework_json.h"
#include "ingest/kt_store.h"
#include "profile/kt_params.h"
#include "server/demo_seed.h"
#include "store/store.h"
#include "testing/cli_runner.h"
#include "testing/test_util.h"

namespace pw::cli {
namespace {

using pw::testing::RunPathwise;

class KtDb : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new pw::testing::TempDir();
    url_ = "sqlite:" + dir_->File("school.db");
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    server::DemoOptions demo;
    demo.students = 40;
    demo.classes = 2;
    demo.weeks = 2;
    auto framework = ReadFrameworkFile(
        (pw::testing::SourceDir() / "data/frameworks/ccss-math-5-7.json").string());
    ASSERT_TRUE(framework.ok()) << framework.status().ToString();
    auto summary = server::SeedDemo(**store, *framework, demo);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    framework_id_ = summary->framework_id;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static inline pw::testing::TempDir* dir_ = nullptr;
  static inline std::string url_;
  static inline Id framework_id_ = kNoId;
};

TEST_F(KtDb, ReadsEveryAnswerOfTheFrameworkInStudentTimeOrder) {
  auto store = OpenStore(url_);
  ASSERT_TRUE(store.ok());
  auto count = (*store)->CountEvidence({});
  ASSERT_TRUE(count.ok());
  ASSERT_GT(*count, 1000);
  ingest::KtVocab vocab;
  auto log = ingest::ReadKtLogFromStore(**store, framework_id_, {}, vocab);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  // Every demo event is about one of the framework's competencies.
  EXPECT_EQ(static_cast<std::int64_t>(log->size()) + log->skipped_rows, *count);
  EXPECT_EQ(log->skipped_rows, 0);
  EXPECT_EQ(vocab.students.size(), 40u);
  auto competencies = (*store)->ListCompetencies(framework_id_);
  ASSERT_TRUE(competencies.ok());
  std::set<std::string> ids;
  for (const Competency& c : *competencies) ids.insert(std::to_string(c.id));
  for (std::size_t k = 0; k < vocab.skills.size(); ++k) {
    EXPECT_TRUE(ids.count(vocab.skills.Name(static_cast<std::int32_t>(k))) == 1)
        << vocab.skills.Name(static_cast<std::int32_t>(k));
  }
  for (std::size_t i = 1; i < log->size(); ++i) {
    if (log->student[i] == log->student[i - 1]) {
      ASSERT_LE(log->time[i - 1], log->time[i]) << i;
    }
  }
  // Another framework id sees none of it.
  ingest::KtVocab other;
  auto none = ingest::ReadKtLogFromStore(**store, framework_id_ + 999, {}, other);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);
  EXPECT_EQ(none->skipped_rows, *count);
}

TEST_F(KtDb, FitStoresBktParamsPerFrameworkForProfiles) {
  auto r = RunPathwise({"kt", "fit", "--db", url_, "--model", "bkt", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("stored as kt.params.framework." + std::to_string(framework_id_)),
            std::string::npos)
      << r.out;
  auto store = OpenStore(url_);
  ASSERT_TRUE(store.ok());
  auto meta = (*store)->GetMeta(profile::KtParamsKey(framework_id_));
  ASSERT_TRUE(meta.ok() && meta->has_value());
  auto j = nlohmann::json::parse(**meta);
  EXPECT_EQ(j["model"], "bkt");
  EXPECT_EQ(j["framework_id"], framework_id_);
  ASSERT_TRUE(j["skills"].is_array());
  ASSERT_EQ(j["skills"].size(), j["params"]["skills"].size());
  for (const auto& p : j["params"]["skills"]) {
    ASSERT_EQ(p.size(), 5u);
    EXPECT_LE(p[2].get<double>(), 0.4);  // guess within its bound
    EXPECT_LE(p[3].get<double>(), 0.4);  // slip within its bound
  }
  // The stored parameters predict held-out evidence the way `kt predict` reads them.
  const std::string file = dir_->File("params.json");
  auto w = RunPathwise({"kt", "fit", "--db", url_, "--framework", std::to_string(framework_id_),
                        "--model", "bkt-forget", "--out", file, "--threads", "1"});
  ASSERT_EQ(w.code, 0) << w.err;
  EXPECT_NE(w.out.find("wrote " + file), std::string::npos) << w.out;
}

TEST_F(KtDb, EvalByFoldsOnStoreEvidence) {
  auto r = RunPathwise({"kt", "eval", "--db", url_, "--folds", "3", "--model", "bkt", "--json",
                        "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  // The simulated learners follow BKT, so BKT predicts them well above chance.
  EXPECT_GT(j["auc"].get<double>(), 0.7);
  EXPECT_GT(j["n_test"].get<int>(), 1000);
}

TEST_F(KtDb, BadUsageNamesTheOption) {
  auto both = RunPathwise({"kt", "fit", "--db", url_, "--data", "x.tsv", "--model", "bkt"});
  EXPECT_EQ(both.code, 2);
  EXPECT_EQ(both.err, "pathwise: --db: expected either --db or log files, not both\n");
  auto frame = RunPathwise({"kt", "fit", "--db", url_, "--framework", "9999", "--model", "bkt"});
  EXPECT_EQ(frame.code, 2);
  EXPECT_EQ(frame.err, "pathwise: --framework: no framework 9999 in " + url_ + " (it has: " +
                           std::to_string(framework_id_) + ")\n");
  auto lr = RunPathwise({"kt", "fit", "--db", url_, "--model", "best-lr"});
  EXPECT_EQ(lr.code, 2);
  EXPECT_NE(lr.err.find("learner profiles use bkt or bkt-forget"), std::string::npos) << lr.err;
  auto noformat = RunPathwise({"kt", "fit", "--data", "x.tsv", "--model", "bkt"});
  EXPECT_EQ(noformat.code, 2);
  EXPECT_EQ(noformat.err, "pathwise: --format: expected a log format (or --db URL)\n");
}

}  // namespace
}  // namespace pw::cli
