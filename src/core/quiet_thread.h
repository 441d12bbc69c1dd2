// Background threads that never take a signal.
#pragma once

#include <functional>
#include <thread>

namespace pw {

// Starts `body` on a new thread with every signal blocked. Signals are the process's business
// (`pathwise serve` waits for SIGTERM/SIGINT on a thread of its own); a thread inherits the
// mask it is created with, so a worker started from a request thread could otherwise take a
// SIGTERM meant for that waiting thread and end the process.
std::thread StartQuietThread(std::function<void()> body);

}  // namespace pw
