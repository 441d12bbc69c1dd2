// Best-LR fit speed and accuracy on assistments09-gervet, and export of the exact feature
// matrices (svmlight format, the constant bias column included) so that
// scripts/bench-kt-lr.sh can fit scikit-learn's LogisticRegression on the same problem side by
// side and print the ratio.
//
//   build/release/bench/bench_kt_lr [--data DIR] [--model best-lr] [--export DIR]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "ingest/kt_log.h"
#include "model/logistic.h"
#include "model/metrics.h"

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

void Export(const std::string& path, const pw::model::SparseRows& x,
            const std::vector<std::uint8_t>& y) {
  std::ofstream f(path);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    f << int{y[i]};
    for (auto q = x.row_begin[i]; q < x.row_begin[i + 1]; ++q) {
      f << ' ' << x.col[static_cast<std::size_t>(q)] + 1 << ':'
        << fmt::format("{:.17g}", x.val[static_cast<std::size_t>(q)]);
    }
    f << ' ' << x.n_cols + 1
      << ":1\n";  // the bias column, regularized like the others (as liblinear does)
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = std::string(PATHWISE_SOURCE_DIR) + "/../shared/data/assistments09-gervet",
              model = "best-lr", out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--data") data = argv[i + 1];
    if (a == "--model") model = argv[i + 1];
    if (a == "--export") out = argv[i + 1];
  }
  const std::string train = data + "/preprocessed_data_train.csv",
                    test = data + "/preprocessed_data_test.csv";
  if (!std::filesystem::exists(train)) {
    fmt::print("bench_kt_lr: skipped ({} absent)\n", train);
    return 0;
  }
  pw::ingest::KtVocab vocab;
  auto tr = pw::ingest::ReadKtLogFile(train, pw::ingest::KtFormat::kLong, {}, vocab);
  auto te = pw::ingest::ReadKtLogFile(test, pw::ingest::KtFormat::kLong, {}, vocab);
  if (!tr.ok() || !te.ok()) {
    fmt::print("bench_kt_lr: cannot read the data\n");
    return 1;
  }
  auto to_data = [&](const pw::ingest::KtLog& l) {
    pw::model::KtData d;
    d.student = l.student, d.item = l.item, d.time = l.time, d.correct = l.correct;
    d.skill_begin = l.skill_begin, d.skills = l.skills;
    d.n_students = static_cast<std::int32_t>(vocab.students.size());
    d.n_items = static_cast<std::int32_t>(vocab.items.size());
    d.n_skills = static_cast<std::int32_t>(vocab.skills.size());
    return d;
  };
  pw::model::KtData dtr = to_data(*tr), dte = to_data(*te);
  auto features = pw::model::LogisticFeatures::ForModel(model);
  if (!features.ok()) {
    fmt::print("bench_kt_lr: {}\n", features.status().message());
    return 2;
  }
  pw::model::LogisticModel layout(model, *features, {});
  pw::model::SparseRows xtr = layout.Features(dtr), xte = layout.Features(dte);
  const pw::model::LogisticOptions opt;
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = CpuSeconds();
  auto w = pw::model::FitLogistic(xtr, dtr.correct, opt);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - c0;
  if (!w.ok()) {
    fmt::print("bench_kt_lr: {}\n", w.status().message());
    return 1;
  }
  std::vector<double> p(xte.rows());
  for (std::size_t i = 0; i < xte.rows(); ++i) {
    double z = w->back();
    for (auto q = xte.row_begin[i]; q < xte.row_begin[i + 1]; ++q) {
      z += (*w)[static_cast<std::size_t>(xte.col[static_cast<std::size_t>(q)])] *
           xte.val[static_cast<std::size_t>(q)];
    }
    p[i] = 1.0 / (1.0 + std::exp(-z));
  }
  const auto m = pw::model::ComputeMetrics(p, dte.correct);
  fmt::print(
      "pathwise {} fit (liblinear L2R_LR trust-region Newton, C={}, eps={}): {} rows x {} columns, "
      "{:.3f} s wall, {:.3f} CPU-s; test AUC {:.4f}\n",
      model, opt.c, opt.epsilon, xtr.rows(), xtr.n_cols + 1, wall, cpu, m.auc);
  fmt::print("RESULT pathwise_fit_seconds={:.4f} pathwise_cpu_seconds={:.4f} pathwise_auc={:.6f}\n",
             wall, cpu, m.auc);
  if (!out.empty()) {
    std::filesystem::create_directories(out);
    Export(out + "/train.svm", xtr, dtr.correct);
    Export(out + "/test.svm", xte, dte.correct);
    fmt::print("exported {}/train.svm and {}/test.svm\n", out, out);
  }
  return 0;
}
