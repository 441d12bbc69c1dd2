#include "core/quiet_thread.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

namespace pw {

std::thread StartQuietThread(std::function<void()> body) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  std::thread t(std::move(body));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace pw
