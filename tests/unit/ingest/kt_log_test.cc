#include "ingest/kt_log.h"

#include <gtest/gtest.h>

#include <sstream>

#include "testing/test_util.h"

namespace pw::ingest {
namespace {

Result<KtLog> Read(const std::string& text, KtFormat f, KtVocab& vocab, KtReadOptions opt = {}) {
  std::istringstream in(text);
  return ReadKtLog(in, "t.csv", f, opt, vocab);
}

std::string Err(const std::string& text, KtFormat f, KtReadOptions opt = {}) {
  KtVocab v;
  auto r = Read(text, f, v, opt);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

std::vector<std::string> SkillNames(const KtLog& log, const KtVocab& v, std::size_t i) {
  std::vector<std::string> out;
  for (auto q = log.skill_begin[i]; q < log.skill_begin[i + 1]; ++q)
    out.push_back(v.skills.Name(log.skills[q]));
  return out;
}

TEST(KtFormat, NamesAndAliases) {
  EXPECT_EQ(*ParseKtFormat("gervet"), KtFormat::kLong);
  EXPECT_EQ(*ParseKtFormat("lines4"), KtFormat::kLines4);
  EXPECT_EQ(
      ParseKtFormat("csv").status().message(),
      "--format: expected one of long, gervet, lines3, lines4, pykt, datashop, sim, got \"csv\"");
}

// The Gervet et al. preprocessed_data_*.csv layout, byte for byte.
TEST(KtLong, ReadsGervetLayout) {
  KtVocab v;
  auto r = Read(
      "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n0\t12661\t0\t0\t143\n0\t12685\t0\t1\t143\n"
      "7\t5\t1600000000\t1\t3_9\n",
      KtFormat::kLong, v);
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(v.students.Name(r->student[0]), "0");
  EXPECT_EQ(v.items.Name(r->item[1]), "12685");
  EXPECT_EQ(r->correct[0], 0);
  EXPECT_EQ(r->correct[1], 1);
  EXPECT_EQ(r->time[2], 1600000000);
  EXPECT_TRUE(r->has_time);
  EXPECT_EQ(SkillNames(*r, v, 0), (std::vector<std::string>{"143"}));
  EXPECT_EQ(SkillNames(*r, v, 2), (std::vector<std::string>{"3", "9"}));
}

TEST(KtLong, ColumnsInAnyOrderAndSharedVocab) {
  KtVocab v;
  PW_ASSERT_OK(Read("skill_id\tcorrect\tuser_id\titem_id\ttimestamp\nA\t1\tu1\tq1\t0\n",
                    KtFormat::kLong, v));
  auto r =
      Read("user_id\titem_id\ttimestamp\tcorrect\tskill_id\nu2\tq1\t0\t0\tA\n", KtFormat::kLong, v);
  PW_ASSERT_OK(r);
  EXPECT_EQ(r->item[0], 0);    // q1 got id 0 from the first file
  EXPECT_EQ(r->skills[0], 0);  // so did A
  EXPECT_EQ(r->student[0], 1);
}

TEST(KtLong, Errors) {
  const std::string h = "user_id\titem_id\ttimestamp\tcorrect\tskill_id\n";
  EXPECT_EQ(Err("user_id\titem_id\ttimestamp\tskill_id\n", KtFormat::kLong),
            "t.csv:1: missing column \"correct\" (found: user_id, item_id, timestamp, skill_id)");
  EXPECT_EQ(Err(h + "0\t1\t0\t1\t5\n0\t1\t0\t2\t5\n", KtFormat::kLong),
            "t.csv:3: correct: expected 0 or 1, got \"2\"");
  EXPECT_EQ(Err(h + "0\t1\tyesterday\t1\t5\n", KtFormat::kLong),
            "t.csv:2: timestamp: expected an integer (Unix seconds), got \"yesterday\"");
  EXPECT_EQ(Err(h + "0\t1\t0\t1\n", KtFormat::kLong),
            "t.csv:2: expected 5 fields (as in the header), got 4");
  EXPECT_EQ(Err(h + "0\t1\t0\t1\t\n", KtFormat::kLong),
            "t.csv:2: skill_id: expected a skill id, got \"\"");
  EXPECT_EQ(Err(h + "\t1\t0\t1\t4\n", KtFormat::kLong),
            "t.csv:2: user_id: expected an id, got \"\"");
}

TEST(KtLong, AnswerLimit) {
  KtReadOptions o;
  o.max_answers = 1;
  EXPECT_EQ(Err("user_id\titem_id\ttimestamp\tcorrect\tskill_id\n0\t1\t0\t1\t5\n0\t1\t0\t1\t5\n",
                KtFormat::kLong, o),
            "t.csv:3: more than 1 answers (the limit)");
}

TEST(KtLines3, ReadsDkvmnLayoutWithTrailingCommas) {
  KtVocab v;
  auto r = Read("3\n1,1,2,\n0,1,1,\n2\n7,7\n1,0\n", KtFormat::kLines3, v);
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ(v.students.Name(r->student[0]), "t.csv#0");
  EXPECT_EQ(v.students.Name(r->student[4]), "t.csv#1");
  EXPECT_EQ(v.skills.Name(r->skills[3]), "7");
  EXPECT_EQ(std::vector<int>(r->correct.begin(), r->correct.end()),
            (std::vector<int>{0, 1, 1, 1, 0}));
}

// The DKT files have sequences of thousands of answers (4,290 in builder_train.csv).
TEST(KtLines3, LongSequences) {
  std::string ids, ans;
  for (int i = 0; i < 9000; ++i) {
    ids += std::to_string(i % 7) + ",";
    ans += (i % 3 ? "1," : "0,");
  }
  KtVocab v;
  auto r = Read("9000\n" + ids + "\n" + ans + "\n", KtFormat::kLines3, v);
  PW_ASSERT_OK(r);
  EXPECT_EQ(r->size(), 9000u);
}

TEST(KtLines3, Errors) {
  EXPECT_EQ(Err("3\n1,1\n0,1\n", KtFormat::kLines3),
            "t.csv:2: id line: expected 3 ids (the length on line 1), got 2");
  EXPECT_EQ(Err("2\n1,1\n0,1,1\n", KtFormat::kLines3),
            "t.csv:3: answer line: expected 2 answers (as many as ids), got 3");
  EXPECT_EQ(Err("2\n1,1\n0,x\n", KtFormat::kLines3),
            "t.csv:3: answer line: expected 0 or 1, got \"x\"");
  EXPECT_EQ(Err("two\n1,1\n0,1\n", KtFormat::kLines3),
            "t.csv:1: length line: expected a non-negative integer, got \"two\"");
  EXPECT_EQ(
      Err("2\n1,1\n", KtFormat::kLines3),
      "t.csv: answer line: expected a line after this record's line 1, got the end of the file");
  EXPECT_EQ(Err("2,3\n1,1\n0,1\n", KtFormat::kLines3),
            "t.csv:1: length line: expected one integer, got \"2,3\"");
}

TEST(KtLines4, ReadsAktLayout) {
  KtVocab v;
  auto r = Read("1274,82295\n1366,1366,1424\n7,9,7\n1,1,0\n", KtFormat::kLines4, v);
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(v.students.Name(r->student[0]), "82295");
  EXPECT_EQ(v.items.Name(r->item[2]), "1424");
  EXPECT_EQ(SkillNames(*r, v, 1), (std::vector<std::string>{"9"}));
  EXPECT_EQ(r->correct[2], 0);
}

TEST(KtLines4, Errors) {
  EXPECT_EQ(Err("1274\n1,2\n7,9\n1,1\n", KtFormat::kLines4),
            "t.csv:1: header line: expected \"<index>,<user id>\", got \"1274\"");
  EXPECT_EQ(Err("1,5\n1,2\n7\n1,1\n", KtFormat::kLines4),
            "t.csv:3: skill line: expected 2 skill ids (as many as problems), got 1");
  EXPECT_EQ(Err("1,5\n1,2\n7,8\n1\n", KtFormat::kLines4),
            "t.csv:4: answer line: expected 2 answers (as many as ids), got 1");
}

TEST(KtPykt, ReadsPerStudentRows) {
  KtVocab v;
  auto r = Read(
      "fold,uid,concepts,responses,cidxs\n-1,6256,\"54,54,3\",\"1,1,0\",\"0,1,2\"\n"
      "-1,13800,\"14_15,-1\",\"1,-1\",\"3,4\"\n",
      KtFormat::kPykt, v);
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 4u);  // the -1 padding is dropped
  EXPECT_EQ(v.students.Name(r->student[3]), "13800");
  EXPECT_EQ(SkillNames(*r, v, 3), (std::vector<std::string>{"14", "15"}));
  EXPECT_EQ(r->correct[2], 0);
}

TEST(KtPykt, QuestionsAndTimestamps) {
  KtVocab v;
  auto r = Read(
      "uid,questions,concepts,responses,timestamps\nu,\"q1,q2\",\"a,b\",\"0,1\",\"1000,5000\"\n",
      KtFormat::kPykt, v);
  PW_ASSERT_OK(r);
  EXPECT_EQ(v.items.Name(r->item[1]), "q2");
  EXPECT_EQ(v.skills.Name(r->skills[1]), "b");
  EXPECT_EQ(r->time[1], 5);
}

TEST(KtPykt, Errors) {
  EXPECT_EQ(Err("uid,responses\nu,\"1\"\n", KtFormat::kPykt),
            "t.csv:1: missing column \"concepts\" or \"questions\" (expected at least one)");
  EXPECT_EQ(Err("uid,concepts,responses\nu,\"1,2\",\"1\"\n", KtFormat::kPykt),
            "t.csv:2: concepts: expected 1 values (as many as responses), got 2");
  EXPECT_EQ(Err("uid,concepts,responses\nu,\"1,2\",\"1,true\"\n", KtFormat::kPykt),
            "t.csv:2: responses: expected 0 or 1, got \"true\"");
  EXPECT_EQ(Err("fold,concepts,responses\n", KtFormat::kPykt),
            "t.csv:1: missing column \"uid\" (found: fold, concepts, responses)");
}

// DataShop layouts as described in ../shared/data/datashop-ds76-sample/README.md.
const char kStepHeader[] =
    "Row\tSample\tAnon Student Id\tProblem Hierarchy\tProblem Name\tProblem View\tStep Name\t"
    "Step Start Time\tFirst Transaction Time\tFirst Attempt\tIncorrects\tHints\tCorrects\t"
    "KC (Area)\tOpportunity (Area)\tKC (Textbook)\tOpportunity (Textbook)\n";

TEST(KtDatashop, StudentStepExport) {
  std::string text =
      std::string(kStepHeader) +
      "1\tAll Data\tS1\tUnit 1\tP1\t1\tarea-1\t9/15/1996 9:48\t9/15/1996 9:49\tcorrect\t0\t0\t1\t"
      "Circle-Area\t1\tArea~~Circle\t1\n"
      "2\tAll Data\tS1\tUnit 1\tP1\t1\tarea-2\t9/15/1996 9:50\t9/15/1996 9:51\thint\t0\t1\t0\t"
      ".\t.\tArea\t2\n"
      "3\tAll Data\tS2\tUnit 1\tP2\t1\tarea-1\t9/16/1996 10:00\t9/16/1996 "
      "10:01\tincorrect\t1\t0\t0\t"
      "Rect-Area\t1\tArea\t1\n";
  KtVocab v;
  auto r = Read(text, KtFormat::kDatashop, v);  // the first KC column: KC (Area)
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->skipped_rows, 1);
  EXPECT_EQ(v.items.Name(r->item[0]), "P1/area-1");
  EXPECT_EQ(r->correct[0], 1);
  EXPECT_EQ(r->correct[1], 0);
  EXPECT_EQ(r->time[0], 842780940);  // 1996-09-15T09:49:00Z
  KtVocab v2;
  KtReadOptions o;
  o.kc_model = "Textbook";
  auto t = Read(text, KtFormat::kDatashop, v2, o);
  PW_ASSERT_OK(t);
  ASSERT_EQ(t->size(), 3u);
  EXPECT_EQ(SkillNames(*t, v2, 0), (std::vector<std::string>{"Area", "Circle"}));
  EXPECT_EQ(t->correct[1], 0);  // a hint first counts as wrong
}

TEST(KtDatashop, TransactionExportUsesFirstAttemptsAndRepeatedKcNames) {
  std::string text =
      "Transaction Id\tAnon Student Id\tSession Id\tTime\tProblem Name\tStep Name\tAttempt At "
      "Step\t"
      "Outcome\tKC (Default)\tKC Category (Default)\tKC (Default)\n"
      "a\tS1\tx\t2018-09-12 07:09:49\tP1\ts1\t1\tINCORRECT\tK1\t.\tK9\n"
      "b\tS1\tx\t2018-09-12 07:09:59\tP1\ts1\t2\tCORRECT\tK1\t.\tK9\n"
      "c\tS1\tx\t2018-09-12 07:10:09\tP1\ts2\t1\tCORRECT\tK2\t.\tK9\n";
  KtVocab v;
  auto r = Read(text, KtFormat::kDatashop, v);
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->correct[0], 0);
  EXPECT_EQ(r->correct[1], 1);
  EXPECT_EQ(v.skills.Name(r->skills[1]), "K2");
  EXPECT_EQ(r->time[1] - r->time[0], 20);
}

TEST(KtDatashop, Errors) {
  EXPECT_EQ(Err("Anon Student Id\tProblem Name\tStep Name\tFirst Attempt\n", KtFormat::kDatashop),
            "t.csv:1: missing column \"KC (...)\" (found: Anon Student Id, Problem Name, Step "
            "Name, First Attempt)");
  KtReadOptions o;
  o.kc_model = "Nope";
  EXPECT_EQ(Err(std::string(kStepHeader), KtFormat::kDatashop, o).substr(0, 38),
            "t.csv:1: missing column \"KC (Nope)\" (f");
  EXPECT_EQ(
      Err(std::string(kStepHeader) + "1\tA\tS1\tU\tP1\t1\ts\t.\t.\tmaybe\t0\t0\t1\tK\t1\tK\t1\n",
          KtFormat::kDatashop),
      "t.csv:2: First Attempt: expected correct, incorrect or hint, got \"maybe\"");
  EXPECT_EQ(Err(std::string(kStepHeader) +
                    "1\tA\tS1\tU\tP1\t1\ts\t.\t13/45/1996 9:49\tcorrect\t0\t0\t1\tK\t1\tK\t1\n",
                KtFormat::kDatashop),
            "t.csv:2: First Transaction Time: expected a time \"M/D/YYYY H:MM\" or \"YYYY-MM-DD "
            "HH:MM:SS\", "
            "got \"13/45/1996 9:49\"");
  EXPECT_EQ(Err(std::string(kStepHeader) +
                    "1\tA\tS1\tU\tP1\t1\ts\t.\t9/15/1996 9:49x\tcorrect\t0\t0\t1\tK\t1\tK\t1\n",
                KtFormat::kDatashop),
            "t.csv:2: First Transaction Time: expected a time \"M/D/YYYY H:MM\" or \"YYYY-MM-DD "
            "HH:MM:SS\", "
            "got \"9/15/1996 9:49x\"");
  KtVocab v;
  auto r = Read(std::string(kStepHeader) +
                    "1\tA\tS1\tU\tP1\t1\ts\t.\t9/15/1996 9:49:30\tcorrect\t0\t0\t1\tK\t1\tK\t1\n",
                KtFormat::kDatashop, v);
  PW_ASSERT_OK(r);
  EXPECT_EQ(r->time[0], 842780970);
}

TEST(KtSim, ReadsPathwiseSimCsv) {
  KtVocab v;
  auto r = Read(
      "student_id,skill_id,item_id,timestamp,correct,known\n"
      "s1,6.EE.A.2,i1,2026-09-01T08:30:00Z,1,1\ns1,6.EE.A.2,i2,2026-09-01T08:31:00Z,0,1\n",
      KtFormat::kSim, v);
  PW_ASSERT_OK(r);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->time[1] - r->time[0], 60);
  EXPECT_EQ(v.skills.Name(r->skills[0]), "6.EE.A.2");
  EXPECT_EQ(
      Err("student_id,skill_id,item_id,timestamp,correct,known\ns1,k,i,2026-13-01T00:00:00Z,1,1\n",
          KtFormat::kSim),
      "t.csv:2: timestamp: expected an ISO-8601 UTC time, got \"2026-13-01T00:00:00Z\"");
  EXPECT_EQ(Err("student_id,skill_id,item_id,timestamp,known\n", KtFormat::kSim),
            "t.csv:1: missing column \"correct\" (found: student_id, skill_id, item_id, timestamp, "
            "known)");
}

TEST(KtSort, StableByStudentThenTime) {
  KtVocab v;
  auto r = Read(
      "student_id,skill_id,item_id,timestamp,correct,known\n"
      "b,k,i1,2026-09-01T08:30:00Z,1,1\na,k,i2,2026-09-01T08:31:00Z,0,1\n"
      "b,k,i3,2026-09-01T08:29:00Z,0,1\n",
      KtFormat::kSim, v);
  PW_ASSERT_OK(r);
  SortKtLogByStudentTime(*r);
  EXPECT_EQ(v.items.Name(r->item[0]), "i3");
  EXPECT_EQ(v.items.Name(r->item[1]), "i1");
  EXPECT_EQ(v.items.Name(r->item[2]), "i2");
}

TEST(KtShared, ReadsGervetTrainFile) {
  auto dir = testing::SharedData("assistments09-gervet");
  if (!dir) GTEST_SKIP() << "../shared/data/assistments09-gervet is absent";
  KtVocab v;
  auto r = ReadKtLogFile((*dir / "preprocessed_data_test.csv").string(), KtFormat::kLong, {}, v);
  PW_ASSERT_OK(r);
  EXPECT_EQ(r->size(), 58266u);  // the README's count
  EXPECT_EQ(v.students.size(), 623u);
}

}  // namespace
}  // namespace pw::ingest
