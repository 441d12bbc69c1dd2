// `pathwise kt fit|eval|predict`: knowledge-tracing models on answer logs.
//
//   pathwise kt eval --train TRAIN --test TEST --format long --model best-lr [--json]
//   pathwise kt eval --data LOG --folds 5 --seed 1 --format lines3 --model bkt
//   pathwise kt fit --data LOG --format long --model bkt --out params.json
//   pathwise kt predict --params params.json --data LOG --format long [--out pred.csv]
//   pathwise kt fit --db sqlite:school.db --model bkt [--framework ID]
//       fits each framework's evidence and stores the parameters where learner profiles read
//       them (meta key kt.params.framework.<id>)
//   pathwise kt eval --db sqlite:school.db --folds 5 --model bkt [--framework ID]
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>

#include "cli/command.h"
#include "core/random.h"
#include "ingest/kt_log.h"
#include "ingest/kt_store.h"
#include "profile/kt_params.h"
#include "model/kt_model.h"
#include "model/metrics.h"
#include "store/store.h"

namespace pw::cli {
namespace {

struct KtArgs {
  std::string train, test, data, format, model, out, params, kc_model, db;
  Id framework = kNoId;
  bool json = false;
  int folds = 0;
  std::uint64_t seed = 1;
  int threads = 2;
  int starts = 3;
  double c = 1.0;
  double max_guess = 0.4, max_slip = 0.4;
  int max_iterations = 200;
  double tolerance = 1e-5;
  int screen_iterations = 5;
};

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

model::KtData ToData(ingest::KtLog log, const ingest::KtVocab& v) {
  model::KtData d;
  d.student = std::move(log.student);
  d.item = std::move(log.item);
  d.time = std::move(log.time);
  d.correct = std::move(log.correct);
  d.skill_begin = std::move(log.skill_begin);
  d.skills = std::move(log.skills);
  d.has_time = log.has_time;
  d.n_students = static_cast<std::int32_t>(v.students.size());
  d.n_items = static_cast<std::int32_t>(v.items.size());
  d.n_skills = static_cast<std::int32_t>(v.skills.size());
  return d;
}

void SetSizes(model::KtData& d, const ingest::KtVocab& v) {
  d.n_students = static_cast<std::int32_t>(v.students.size());
  d.n_items = static_cast<std::int32_t>(v.items.size());
  d.n_skills = static_cast<std::int32_t>(v.skills.size());
}

Result<model::KtData> Load(const std::string& path, const std::string& option, const KtArgs& a,
                           ingest::KtVocab& vocab) {
  if (path.empty()) return InvalidArgumentError("{}: expected a file path", option);
  if (a.format.empty()) return InvalidArgumentError("--format: expected a log format for {}", option);
  PW_ASSIGN_OR_RETURN(ingest::KtFormat f, ingest::ParseKtFormat(a.format));
  ingest::KtReadOptions ro;
  ro.kc_model = a.kc_model;
  PW_ASSIGN_OR_RETURN(ingest::KtLog log, ingest::ReadKtLogFile(path, f, ro, vocab));
  ingest::SortKtLogByStudentTime(log);
  return ToData(std::move(log), vocab);
}

// The frameworks `--db` works on: the one --framework names, or every framework in the store.
Result<std::vector<Framework>> DbFrameworks(Store& store, const KtArgs& a) {
  PW_ASSIGN_OR_RETURN(std::vector<Framework> all, store.ListFrameworks());
  if (a.framework == kNoId) {
    if (all.empty()) return FailedPreconditionError("--db {}: the store has no framework", a.db);
    return all;
  }
  for (const Framework& f : all) {
    if (f.id == a.framework) return std::vector<Framework>{f};
  }
  std::string known;
  for (const Framework& f : all) known += fmt::format("{}{}", known.empty() ? "" : ", ", f.id);
  return NotFoundError("--framework: no framework {} in {} (it has: {})", a.framework, a.db,
                       known.empty() ? "none" : known);
}

Result<model::KtData> LoadFromStore(Store& store, Id framework_id, ingest::KtVocab& vocab,
                                    std::int64_t* skipped = nullptr) {
  PW_ASSIGN_OR_RETURN(ingest::KtLog log, ingest::ReadKtLogFromStore(store, framework_id, {}, vocab));
  if (skipped != nullptr) *skipped = log.skipped_rows;
  return ToData(std::move(log), vocab);
}

Status CheckSource(const KtArgs& a) {
  if (!a.db.empty()) {
    if (!a.data.empty() || !a.train.empty() || !a.test.empty()) {
      return InvalidArgumentError("--db: expected either --db or log files, not both");
    }
    return OkStatus();
  }
  if (a.format.empty()) return InvalidArgumentError("--format: expected a log format (or --db URL)");
  return ingest::ParseKtFormat(a.format).status();
}

model::KtModelOptions ModelOptions(const KtArgs& a) {
  model::KtModelOptions o;
  o.bkt.threads = a.threads;
  o.bkt.starts = a.starts;
  o.bkt.seed = a.seed;
  o.bkt.max_guess = a.max_guess;
  o.bkt.max_slip = a.max_slip;
  o.bkt.max_iterations = a.max_iterations;
  o.bkt.tolerance = a.tolerance;
  o.bkt.screen_iterations = a.screen_iterations;
  o.logistic.c = a.c;
  return o;
}

// Rows of `d` whose student is (or is not) in `pick`.
model::KtData Subset(const model::KtData& d, const std::vector<char>& pick, bool want) {
  model::KtData out;
  out.n_students = d.n_students;
  out.n_items = d.n_items;
  out.n_skills = d.n_skills;
  out.has_time = d.has_time;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if ((pick[static_cast<std::size_t>(d.student[i])] != 0) != want) continue;
    out.student.push_back(d.student[i]);
    out.item.push_back(d.item[i]);
    out.time.push_back(d.time[i]);
    out.correct.push_back(d.correct[i]);
    out.skills.insert(out.skills.end(), d.skills.begin() + d.skill_begin[i],
                      d.skills.begin() + d.skill_begin[i + 1]);
    out.skill_begin.push_back(static_cast<std::int32_t>(out.skills.size()));
  }
  return out;
}

void PrintReport(Io& io, const KtArgs& a, const model::KtMetrics& m, std::int64_t n_train,
                 double fit_s, double pred_s) {
  if (a.json) {
    nlohmann::json j{{"model", a.model},     {"auc", m.auc},           {"rmse", m.rmse},
                     {"logloss", m.logloss}, {"accuracy", m.accuracy}, {"n_train", n_train},
                     {"n_test", m.n},        {"fit_seconds", fit_s},   {"predict_seconds", pred_s}};
    io.out << j.dump() << "\n";
    return;
  }
  io.out << fmt::format(
      "model {}: AUC {:.4f}  RMSE {:.4f}  log-loss {:.4f}  accuracy {:.4f}  (train {} answers, "
      "test {}; "
      "fit {:.2f} s, predict {:.2f} s)\n",
      a.model, m.auc, m.rmse, m.logloss, m.accuracy, n_train, m.n, fit_s, pred_s);
}

Status RunEval(Io& io, const KtArgs& a) {
  PW_RETURN_IF_ERROR(CheckSource(a));
  PW_RETURN_IF_ERROR(model::MakeKtModel(a.model, ModelOptions(a)).status());
  ingest::KtVocab vocab;
  if (!a.data.empty() || !a.db.empty()) {
    if (!a.train.empty() || !a.test.empty()) {
      return InvalidArgumentError(
          "--data: expected either --data with --folds, or --train and --test, not both");
    }
    const char* source = a.db.empty() ? "--data" : "--db";
    if (a.folds < 2) {
      return InvalidArgumentError("--folds: expected an integer >= 2 with {}, got {}", source,
                                  a.folds);
    }
    model::KtData all;
    if (a.db.empty()) {
      PW_ASSIGN_OR_RETURN(all, Load(a.data, "--data", a, vocab));
    } else {
      PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(a.db));
      PW_ASSIGN_OR_RETURN(std::vector<Framework> frameworks, DbFrameworks(*store, a));
      if (frameworks.size() > 1) {
        return InvalidArgumentError(
            "--framework: the store has {} frameworks; expected --framework ID to pick one",
            frameworks.size());
      }
      PW_ASSIGN_OR_RETURN(all, LoadFromStore(*store, frameworks[0].id, vocab));
      if (all.size() == 0) {
        return FailedPreconditionError("--db {}: framework {} has no evidence to evaluate on",
                                       a.db, frameworks[0].id);
      }
    }
    // k-fold by student: a seeded shuffle of the students, dealt round-robin.
    std::vector<std::int32_t> students(static_cast<std::size_t>(all.n_students));
    std::iota(students.begin(), students.end(), 0);
    Rng rng(a.seed);
    for (std::size_t i = students.size(); i > 1; --i)
      std::swap(students[i - 1], students[rng.Below(i)]);
    std::vector<int> fold_of(students.size());
    for (std::size_t i = 0; i < students.size(); ++i)
      fold_of[static_cast<std::size_t>(students[i])] = static_cast<int>(i % a.folds);
    std::vector<double> pred;
    std::vector<std::uint8_t> y;
    double fit_s = 0, pred_s = 0;
    std::int64_t n_train = 0;
    for (int k = 0; k < a.folds; ++k) {
      std::vector<char> in_test(students.size());
      for (std::size_t s = 0; s < students.size(); ++s) in_test[s] = fold_of[s] == k;
      model::KtData train = Subset(all, in_test, false), test = Subset(all, in_test, true);
      PW_ASSIGN_OR_RETURN(auto m, model::MakeKtModel(a.model, ModelOptions(a)));
      auto t0 = std::chrono::steady_clock::now();
      PW_RETURN_IF_ERROR(m->Fit(train));
      fit_s += Seconds(t0);
      t0 = std::chrono::steady_clock::now();
      std::vector<double> p = m->Predict(test);
      pred_s += Seconds(t0);
      pred.insert(pred.end(), p.begin(), p.end());
      y.insert(y.end(), test.correct.begin(), test.correct.end());
      n_train += static_cast<std::int64_t>(train.size());
    }
    PrintReport(io, a, model::ComputeMetrics(pred, y), n_train / a.folds, fit_s, pred_s);
    return OkStatus();
  }
  if (a.train.empty() || a.test.empty()) {
    return InvalidArgumentError(
        "kt eval: expected --train and --test files (or --data with --folds)");
  }
  PW_ASSIGN_OR_RETURN(model::KtData train, Load(a.train, "--train", a, vocab));
  PW_ASSIGN_OR_RETURN(model::KtData test, Load(a.test, "--test", a, vocab));
  SetSizes(train, vocab);
  SetSizes(test, vocab);
  PW_ASSIGN_OR_RETURN(auto m, model::MakeKtModel(a.model, ModelOptions(a)));
  auto t0 = std::chrono::steady_clock::now();
  PW_RETURN_IF_ERROR(m->Fit(train));
  const double fit_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  std::vector<double> p = m->Predict(test);
  const double pred_s = Seconds(t0);
  PrintReport(io, a, model::ComputeMetrics(p, test.correct),
              static_cast<std::int64_t>(train.size()), fit_s, pred_s);
  return OkStatus();
}

nlohmann::json Names(const ingest::KtInterner& in) {
  nlohmann::json a = nlohmann::json::array();
  for (std::size_t i = 0; i < in.size(); ++i) a.push_back(in.Name(static_cast<std::int32_t>(i)));
  return a;
}

// `kt fit --db`: one fit per framework, stored in the store's meta (or written to --out).
Status RunFitFromStore(Io& io, const KtArgs& a) {
  PW_RETURN_IF_ERROR(model::MakeKtModel(a.model, ModelOptions(a)).status());
  if (a.out.empty() && a.model != "bkt" && a.model != "bkt-forget") {
    return InvalidArgumentError(
        "--model: learner profiles use bkt or bkt-forget parameters; expected one of those to "
        "store in --db, or --out FILE to write {} parameters to a file",
        a.model);
  }
  PW_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(a.db));
  PW_ASSIGN_OR_RETURN(std::vector<Framework> frameworks, DbFrameworks(*store, a));
  if (!a.out.empty() && frameworks.size() > 1) {
    return InvalidArgumentError(
        "--out: the store has {} frameworks and --out holds one; expected --framework ID",
        frameworks.size());
  }
  for (const Framework& f : frameworks) {
    ingest::KtVocab vocab;
    std::int64_t skipped = 0;
    PW_ASSIGN_OR_RETURN(model::KtData train, LoadFromStore(*store, f.id, vocab, &skipped));
    if (train.size() == 0) {
      io.out << fmt::format("framework {} ({}): no evidence, nothing fitted\n", f.id, f.title);
      continue;
    }
    PW_ASSIGN_OR_RETURN(auto m, model::MakeKtModel(a.model, ModelOptions(a)));
    const auto t0 = std::chrono::steady_clock::now();
    PW_RETURN_IF_ERROR(m->Fit(train));
    const double fit_s = Seconds(t0);
    nlohmann::json j{{"pathwise_kt_params", 1},     {"model", a.model},
                     {"format", "db"},              {"framework_id", f.id},
                     {"students", Names(vocab.students)}, {"items", Names(vocab.items)},
                     {"skills", Names(vocab.skills)},     {"params", m->ToJson()}};
    std::string where;
    if (a.out.empty()) {
      const std::string key = profile::KtParamsKey(f.id);
      PW_RETURN_IF_ERROR(store->SetMeta(key, j.dump()));
      where = "stored as " + key;
    } else {
      std::ofstream file(a.out);
      if (!file) return InvalidArgumentError("--out: cannot write \"{}\"", a.out);
      file << j.dump(1) << "\n";
      if (!file) return InternalError("--out: writing \"{}\" failed", a.out);
      where = "wrote " + a.out;
    }
    io.out << fmt::format(
        "framework {} ({}): fitted {} on {} answers of {} students, {} competencies in {:.2f} s "
        "({} evidence rows outside the framework skipped); {}\n",
        f.id, f.title, a.model, train.size(), vocab.students.size(), vocab.skills.size(), fit_s,
        skipped, where);
  }
  return OkStatus();
}

Status RunFit(Io& io, const KtArgs& a) {
  PW_RETURN_IF_ERROR(CheckSource(a));
  if (!a.db.empty()) return RunFitFromStore(io, a);
  PW_ASSIGN_OR_RETURN(auto m, model::MakeKtModel(a.model, ModelOptions(a)));
  ingest::KtVocab vocab;
  PW_ASSIGN_OR_RETURN(model::KtData train, Load(a.data, "--data", a, vocab));
  auto t0 = std::chrono::steady_clock::now();
  PW_RETURN_IF_ERROR(m->Fit(train));
  const double fit_s = Seconds(t0);
  nlohmann::json j{{"pathwise_kt_params", 1},     {"model", a.model},
                   {"format", a.format},          {"students", Names(vocab.students)},
                   {"items", Names(vocab.items)}, {"skills", Names(vocab.skills)},
                   {"params", m->ToJson()}};
  if (a.out.empty()) {
    io.out << j.dump(1) << "\n";
  } else {
    std::ofstream f(a.out);
    if (!f) return InvalidArgumentError("--out: cannot write \"{}\"", a.out);
    f << j.dump(1) << "\n";
    if (!f) return InternalError("--out: writing \"{}\" failed", a.out);
    io.out << fmt::format("fitted {} on {} answers in {:.2f} s; wrote {}\n", a.model, train.size(),
                          fit_s, a.out);
  }
  return OkStatus();
}

Status RunPredict(Io& io, const KtArgs& a) {
  if (a.format.empty()) return InvalidArgumentError("--format: expected a log format");
  PW_RETURN_IF_ERROR(ingest::ParseKtFormat(a.format).status());
  if (a.params.empty())
    return InvalidArgumentError("--params: expected a params.json file from `kt fit`");
  std::ifstream pf(a.params);
  if (!pf) return InvalidArgumentError("{}: cannot open the file", a.params);
  nlohmann::json j = nlohmann::json::parse(pf, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return InvalidArgumentError("{}: expected a JSON object", a.params);
  if (!j.contains("model") || !j["model"].is_string() || !j.contains("params")) {
    return InvalidArgumentError(
        "{}: expected the keys \"model\" and \"params\" written by `kt fit`", a.params);
  }
  const std::string name = j["model"].get<std::string>();
  PW_ASSIGN_OR_RETURN(auto m, model::MakeKtModel(name, ModelOptions(a)));
  Status s = m->FromJson(j["params"]);
  if (!s.ok()) return s.WithPrefix(a.params);
  ingest::KtVocab vocab;
  for (const char* key : {"students", "items", "skills"}) {
    if (!j.contains(key) || !j[key].is_array()) {
      return InvalidArgumentError("{}: {}: expected an array of ids", a.params, key);
    }
    ingest::KtInterner& in = std::string(key) == "students" ? vocab.students
                             : std::string(key) == "items"  ? vocab.items
                                                            : vocab.skills;
    for (const auto& n : j[key]) {
      if (!n.is_string()) return InvalidArgumentError("{}: {}: expected strings", a.params, key);
      in.Intern(n.get<std::string>());
    }
  }
  PW_ASSIGN_OR_RETURN(model::KtData data, Load(a.data, "--data", a, vocab));
  std::vector<double> p = m->Predict(data);
  std::ofstream file;
  std::ostream* out = &io.out;
  if (!a.out.empty()) {
    file.open(a.out);
    if (!file) return InvalidArgumentError("--out: cannot write \"{}\"", a.out);
    out = &file;
  }
  *out << "student,item,correct,p_correct\n";
  for (std::size_t i = 0; i < data.size(); ++i) {
    *out << vocab.students.Name(data.student[i]) << ',' << vocab.items.Name(data.item[i]) << ','
         << int{data.correct[i]} << ',' << fmt::format("{:.6f}", p[i]) << '\n';
  }
  if (!a.out.empty()) {
    const auto metrics = model::ComputeMetrics(p, data.correct);
    io.out << fmt::format("wrote {} predictions to {} (AUC {:.4f} on these answers)\n", p.size(),
                          a.out, metrics.auc);
  }
  return OkStatus();
}

void AddCommon(CLI::App* sub, KtArgs& a) {
  sub->add_option("--format", a.format, "long|gervet|lines3|lines4|pykt|datashop|sim");
  sub->add_option("--kc-model", a.kc_model,
                  "DataShop: the KC model (column \"KC (<name>)\"); default the first");
  sub->add_option("--threads", a.threads, "BKT fitting threads (default 2)");
  sub->add_option("--starts", a.starts, "BKT EM starts per skill (default 3)");
  sub->add_option("--seed", a.seed, "random seed (BKT starts, fold assignment; default 1)");
  sub->add_option("--max-guess", a.max_guess, "BKT: upper bound on guess (default 0.4)");
  sub->add_option("--max-slip", a.max_slip, "BKT: upper bound on slip (default 0.4)");
  sub->add_option("--max-iterations", a.max_iterations,
                  "BKT: EM iterations per start (default 200)");
  sub->add_option("--tolerance", a.tolerance,
                  "BKT: stop EM when the mean log-likelihood per answer gains less (default 1e-5)");
  sub->add_option("--screen-iterations", a.screen_iterations,
                  "BKT: EM iterations each start runs before only the best continues (default 5; "
                  "0 = all run fully)");
  sub->add_option("--c", a.c, "logistic models: inverse L2 strength C (default 1)");
}

void AddDb(CLI::App* sub, KtArgs& a) {
  sub->add_option("--db", a.db,
                  "read the evidence of a Pathwise store (sqlite:PATH or postgresql://...) "
                  "instead of a log file");
  sub->add_option("--framework", a.framework,
                  "with --db: the framework id (default: every framework for fit, the only one "
                  "for eval)");
}

void SetupKt(CLI::App& app, const Binder& bind) {
  auto* kt = app.add_subcommand(
      "kt", "Knowledge tracing: fit, evaluate and apply models of student answers");
  kt->require_subcommand(1);
  auto args = std::make_shared<KtArgs>();
  const std::string models = std::string(model::KtModelNames());

  auto* eval =
      kt->add_subcommand("eval", "Fit on train, report AUC/RMSE/log-loss/accuracy on test");
  eval->add_option("--train", args->train, "training log");
  eval->add_option("--test", args->test, "test log (answers predicted from earlier answers only)");
  eval->add_option("--data", args->data, "one log split into --folds folds by student");
  eval->add_option("--folds", args->folds, "k for k-fold by student (with --data)");
  eval->add_option("--model", args->model, models)->required();
  eval->add_flag("--json", args->json,
                 "one JSON object: model, auc, rmse, logloss, accuracy, n_train, n_test, "
                 "fit_seconds, predict_seconds");
  AddDb(eval, *args);
  AddCommon(eval, *args);
  bind(eval, [args](Io& io) { return RunEval(io, *args); });

  auto* fit = kt->add_subcommand("fit", "Fit a model and write its parameters as JSON");
  fit->add_option("--data", args->data, "training log (or --db)");
  fit->add_option("--model", args->model, models)->required();
  fit->add_option("--out", args->out, "params.json (default: standard output)");
  AddDb(fit, *args);
  AddCommon(fit, *args);
  bind(fit, [args](Io& io) { return RunFit(io, *args); });

  auto* pred = kt->add_subcommand(
      "predict", "Predict each answer of a log from earlier answers with fitted params");
  pred->add_option("--params", args->params, "params.json from `kt fit`")->required();
  pred->add_option("--data", args->data, "log to predict")->required();
  pred->add_option("--out", args->out, "predictions CSV (default: standard output)");
  AddCommon(pred, *args);
  bind(pred, [args](Io& io) { return RunPredict(io, *args); });
}

PW_CLI_COMMAND(60, SetupKt);

}  // namespace
}  // namespace pw::cli
