// `pathwise sim`: writes a simulated answer log (and optionally its ground truth) as CSV.
//
//   pathwise sim --students 1000 --skills 50 --events-per-student 200 --seed 7 --out x.csv
//
// Files are written to a temporary name next to the target and renamed at the end, so a
// failed run leaves nothing behind.
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "sim/event_log.h"

namespace pw::cli {
namespace {

struct SimFlags {
  std::string students, skills, events, seed, out, truth;
};

// Parses a whole decimal number in [lo, hi].
Result<std::uint64_t> ParseCount(const std::string& flag, const std::string& text, std::uint64_t lo,
                                 std::uint64_t hi) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < lo || v > hi) {
    return InvalidArgumentError("{} must be a whole number from {} to {}, got \"{}\"", flag, lo, hi,
                                text);
  }
  return v;
}

// A file being written under a temporary name; Commit renames it into place, the destructor
// removes it if it was not committed.
class PendingFile {
 public:
  static Result<std::unique_ptr<PendingFile>> Open(const std::string& flag,
                                                   const std::string& path) {
    auto f = std::unique_ptr<PendingFile>(new PendingFile);
    f->flag_ = flag;
    f->path_ = path;
    f->tmp_ = fmt::format("{}.tmp-{}", path, static_cast<long>(::getpid()));
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return InvalidArgumentError("cannot write {} \"{}\": it is a directory", flag, path);
    }
    f->file_ = std::fopen(f->tmp_.c_str(), "wb");
    if (f->file_ == nullptr) {
      return InvalidArgumentError("cannot write {} \"{}\": {}", flag, path, std::strerror(errno));
    }
    return f;
  }
  ~PendingFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) std::remove(tmp_.c_str());
  }

  Status Write(std::string_view data) {
    if (data.empty()) return OkStatus();
    if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
      return InternalError("writing {} \"{}\": {}", flag_, path_, std::strerror(errno));
    }
    return OkStatus();
  }
  Status Close() {
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (rc != 0) return InternalError("writing {} \"{}\": {}", flag_, path_, std::strerror(errno));
    return OkStatus();
  }
  Status Commit() {
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      return InternalError("renaming to {} \"{}\": {}", flag_, path_, std::strerror(errno));
    }
    committed_ = true;
    return OkStatus();
  }

 private:
  PendingFile() = default;
  std::string flag_, path_, tmp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

Status RunSim(const SimFlags& f, Io& io) {
  sim::SimpleSimOptions o;
  PW_ASSIGN_OR_RETURN(std::uint64_t students, ParseCount("--students", f.students, 1, 10'000'000));
  PW_ASSIGN_OR_RETURN(std::uint64_t skills, ParseCount("--skills", f.skills, 1, 100'000));
  PW_ASSIGN_OR_RETURN(std::uint64_t events,
                      ParseCount("--events-per-student", f.events, 1, 10'000'000));
  PW_ASSIGN_OR_RETURN(std::uint64_t seed,
                      ParseCount("--seed", f.seed, 0, std::numeric_limits<std::uint64_t>::max()));
  if (students * skills > 100'000'000) {
    return InvalidArgumentError(
        "--students times --skills must be at most 100000000 (the ground truth keeps every "
        "pair), got {}",
        students * skills);
  }
  if (f.out.empty()) return InvalidArgumentError("--out must name a file");
  if (!f.truth.empty() && std::filesystem::absolute(f.truth) == std::filesystem::absolute(f.out)) {
    return InvalidArgumentError("--truth and --out must be different files");
  }
  o.students = static_cast<int>(students);
  o.skills = static_cast<int>(skills);
  o.events_per_student = static_cast<std::int64_t>(events);
  o.keep_truth = !f.truth.empty();
  PW_ASSIGN_OR_RETURN(sim::SimpleSimulation simulation, sim::SimpleSimulation::Create(o, seed));

  PW_ASSIGN_OR_RETURN(std::unique_ptr<PendingFile> out, PendingFile::Open("--out", f.out));
  std::unique_ptr<PendingFile> truth_file;
  if (!f.truth.empty()) {
    PW_ASSIGN_OR_RETURN(truth_file, PendingFile::Open("--truth", f.truth));
  }
  std::string buffer = sim::kEventsCsvHeader;
  Status write_status;
  PW_RETURN_IF_ERROR(simulation.Run([&](const sim::EventBatch& batch) {
    sim::AppendEventsCsv(batch, &buffer);
    if (buffer.size() >= (1 << 20) && write_status.ok()) {
      write_status = out->Write(buffer);
      buffer.clear();
    }
  }));
  if (write_status.ok()) write_status = out->Write(buffer);
  PW_RETURN_IF_ERROR(write_status);
  PW_RETURN_IF_ERROR(out->Close());
  if (truth_file != nullptr) {
    std::ostringstream text;
    sim::WriteTruthCsv(simulation.truth(), text);
    PW_RETURN_IF_ERROR(truth_file->Write(text.str()));
    PW_RETURN_IF_ERROR(truth_file->Close());
    PW_RETURN_IF_ERROR(truth_file->Commit());
  }
  PW_RETURN_IF_ERROR(out->Commit());
  io.out << fmt::format("wrote {} events ({} students x {} events, {} skills) to {}\n",
                        students * events, students, events, skills, f.out);
  return OkStatus();
}

void SetupSim(CLI::App& app, const Binder& bind) {
  auto* sub =
      app.add_subcommand("sim", "Simulate students answering items and write the event log as CSV");
  auto flags = std::make_shared<SimFlags>();
  sub->add_option("--students", flags->students, "Number of students (1..10000000)")->required();
  sub->add_option("--skills", flags->skills, "Number of skills in the synthetic framework")
      ->required();
  sub->add_option("--events-per-student", flags->events, "Answers per student")->required();
  sub->add_option("--seed", flags->seed, "Random seed (same seed => same bytes)")->required();
  sub->add_option("--out", flags->out,
                  "Event CSV: student_id,skill_id,item_id,timestamp,correct,known")
      ->required();
  sub->add_option("--truth", flags->truth,
                  "Also write the per-student/per-skill ground truth as CSV");
  bind(sub, [flags](Io& io) -> Status { return RunSim(*flags, io); });
}
PW_CLI_COMMAND(50, SetupSim);

}  // namespace
}  // namespace pw::cli
