// Writes timestamps exactly as core FormatTimestamp does ("2026-09-01T15:04:05.123Z"), but
// without an allocation per call: the date part comes from FormatTimestamp once per day and
// is cached, the time of day is written by hand. For the simulator's CSV output.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "core/time.h"

namespace pw::sim {

class TimestampText {
 public:
  static constexpr int kLength = 24;  // "YYYY-MM-DDThh:mm:ss.fffZ"

  // Writes kLength characters at p (years 0..9999 only) and returns p + kLength.
  char* Write(Timestamp t, char* p) {
    const Date d = DateOf(t);
    if (d != day_ || !valid_) {
      const std::string text = FormatTimestamp(StartOf(d));
      std::memcpy(prefix_, text.data(), 11);  // "YYYY-MM-DDT"
      day_ = d;
      valid_ = true;
    }
    std::int64_t ms = t.millis - StartOf(d).millis;
    std::memcpy(p, prefix_, 11);
    p += 11;
    const int h = static_cast<int>(ms / 3'600'000);
    const int mi = static_cast<int>((ms / 60'000) % 60);
    const int s = static_cast<int>((ms / 1000) % 60);
    const int f = static_cast<int>(ms % 1000);
    p = Two(p, h);
    *p++ = ':';
    p = Two(p, mi);
    *p++ = ':';
    p = Two(p, s);
    *p++ = '.';
    *p++ = static_cast<char>('0' + f / 100);
    *p++ = static_cast<char>('0' + (f / 10) % 10);
    *p++ = static_cast<char>('0' + f % 10);
    *p++ = 'Z';
    return p;
  }

 private:
  static char* Two(char* p, int v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
    return p;
  }
  Date day_;
  bool valid_ = false;
  char prefix_[11] = {};
};

}  // namespace pw::sim
