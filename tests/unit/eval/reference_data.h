// Loads the committed R reference (tests/eval_reference/{exam.csv,reference.csv}) for the
// agreement tests. No R is needed at test time.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/csv.h"

namespace pw::eval::testing {

struct ExamData {
  std::vector<std::string> school;
  std::vector<double> normexam, standlrt, girl, single_sex;
};

inline std::string ReferencePath(const std::string& name) {
  return std::string(PATHWISE_SOURCE_DIR) + "/tests/eval_reference/" + name;
}

inline ExamData LoadExam() {
  ExamData d;
  std::ifstream f(ReferencePath("exam.csv"));
  EXPECT_TRUE(f.good());
  CsvReader csv(f, "exam.csv");
  auto header = CsvHeader::Read(csv, {"school", "normexam", "standLRT", "girl", "single_sex"});
  EXPECT_TRUE(header.ok());
  std::vector<std::string> row;
  while (true) {
    auto more = csv.Next(row);
    if (!more.ok() || !*more) break;
    d.school.push_back(row[header->Index("school")]);
    d.normexam.push_back(std::stod(row[header->Index("normexam")]));
    d.standlrt.push_back(std::stod(row[header->Index("standLRT")]));
    d.girl.push_back(std::stod(row[header->Index("girl")]));
    d.single_sex.push_back(std::stod(row[header->Index("single_sex")]));
  }
  return d;
}

// "case/quantity/term" -> value
inline std::map<std::string, double> LoadReference() {
  std::map<std::string, double> ref;
  std::ifstream f(ReferencePath("reference.csv"));
  EXPECT_TRUE(f.good());
  CsvReader csv(f, "reference.csv");
  auto header = CsvHeader::Read(csv, {"case", "quantity", "term", "value"});
  EXPECT_TRUE(header.ok());
  std::vector<std::string> row;
  while (true) {
    auto more = csv.Next(row);
    if (!more.ok() || !*more) break;
    ref[row[0] + "/" + row[1] + "/" + row[2]] = std::stod(row[3]);
  }
  return ref;
}

}  // namespace pw::eval::testing
