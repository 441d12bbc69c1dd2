// Runs the real `pathwise` binary: demo seeding, serving, health over HTTP, reuse on a second
// run, clean shutdown on SIGTERM and SIGINT, and bad usage exiting 2 with one line.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>

#include "testing/test_util.h"

namespace pw {
namespace {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  std::string out;
};

Child Spawn(const std::vector<std::string>& args) {
  int pipefd[2];
  EXPECT_EQ(pipe(pipefd), 0);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    close(pipefd[0]);
    std::vector<char*> argv;
    std::string bin = PATHWISE_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    chdir(PATHWISE_SOURCE_DIR);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(pipefd[1]);
  c.out_fd = pipefd[0];
  fcntl(c.out_fd, F_SETFL, O_NONBLOCK);
  return c;
}

// Reads the child's output until it contains `prefix` followed by text up to `stop`, or
// `seconds` pass; returns that text ("" on timeout).
std::string WaitFor(Child& c, const std::string& prefix, char stop, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    ssize_t n = read(c.out_fd, buf, sizeof buf);
    if (n > 0) c.out.append(buf, static_cast<size_t>(n));
    size_t at = c.out.find(prefix);
    if (at != std::string::npos) {
      size_t end = c.out.find(stop, at + prefix.size());
      if (end != std::string::npos) return c.out.substr(at + prefix.size(), end - at - prefix.size());
    }
    if (n <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "";
}

int WaitExit(Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  char buf[4096];
  ssize_t n;
  while ((n = read(c.out_fd, buf, sizeof buf)) > 0) c.out.append(buf, static_cast<size_t>(n));
  close(c.out_fd);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ServeTest, DemoSeedsServesAndStopsCleanly) {
  testing::TempDir dir;
  const std::string db = "sqlite:" + dir.File("demo.db");
  for (int sig : {SIGTERM, SIGINT}) {
    Child c = Spawn({"demo", "--db", db, "--students", "24", "--classes", "2", "--weeks", "1",
                     "--port", "0"});
    std::string port = WaitFor(c, " on http://127.0.0.1:", '/', 120);
    ASSERT_FALSE(port.empty()) << c.out;
    httplib::Client client("127.0.0.1", std::stoi(port));
    auto res = client.Get("/api/v1/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find("\"status\":\"ok\""), std::string::npos);
    kill(c.pid, sig);
    EXPECT_EQ(WaitExit(c), 0) << c.out;
    EXPECT_NE(c.out.find("pathwise: stopped"), std::string::npos) << c.out;
    // First run seeds, the second reuses.
    EXPECT_NE(c.out.find(sig == SIGTERM ? "seeded a demo school" : "reusing the demo school"),
              std::string::npos)
        << c.out;
  }
}

TEST(ServeTest, BadUsageExits2WithOneLine) {
  testing::TempDir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"frobnicate"}, {"serve", "--db", "mysql://x"},
        {"serve", "--port", "99999"}, {"demo", "--db", "sqlite:" + dir.File("x.db"), "--framework",
                                         dir.File("missing.json"), "--seed-only"}}) {
    Child c = Spawn(args);
    EXPECT_EQ(WaitExit(c), 2) << args[0] << ": " << c.out;
    EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1) << c.out;
  }
}

}  // namespace
}  // namespace pw
