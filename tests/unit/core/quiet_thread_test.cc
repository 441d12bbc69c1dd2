#include "core/quiet_thread.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

namespace pw {
namespace {

// The new thread blocks every signal, and the caller's own mask is as it was.
TEST(QuietThreadTest, BlocksEverySignalOnlyInTheNewThread) {
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  const bool term_blocked_before = sigismember(&before, SIGTERM) == 1;
  bool term = false, intr = false, usr1 = false;
  StartQuietThread([&] {
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, nullptr, &mask);
    term = sigismember(&mask, SIGTERM) == 1;
    intr = sigismember(&mask, SIGINT) == 1;
    usr1 = sigismember(&mask, SIGUSR1) == 1;
  }).join();
  EXPECT_TRUE(term);
  EXPECT_TRUE(intr);
  EXPECT_TRUE(usr1);
  sigset_t after;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  EXPECT_EQ(sigismember(&after, SIGTERM) == 1, term_blocked_before);
}

}  // namespace
}  // namespace pw
