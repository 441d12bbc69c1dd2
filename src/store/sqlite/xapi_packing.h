// Statement JSON packed for storage: zstd with a dictionary trained on the database's own
// statements (xapi_dictionaries, SQLite migration 9). xAPI statements from one learning app
// repeat the same keys, verbs, activity definitions and context, which a dictionary captures:
// a typical 860-byte statement packs to about 120 bytes, so a commit writes a seventh of the
// pages and a 10-million-statement store takes a few GB instead of ~10.
//
//   auto dict = TrainXapiDictionary(samples);            // once, from stored statements
//   ZstdPacker packer(dict->id, dict->bytes);            // share across threads
//   std::string blob = packer.Pack(json);                // "" = store the text as it is
//   ZstdUnpacker unpacker;                               // one per connection
//   unpacker.Add(dict->id, dict->bytes);
//   PW_ASSIGN_OR_RETURN(std::string back, unpacker.Unpack(blob));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "store/xapi_store.h"

struct ZSTD_CDict_s;
struct ZSTD_DDict_s;
struct ZSTD_DCtx_s;

namespace pw::sqlite {

struct XapiDictionary {
  std::uint32_t id = 0;  // zstd's dictionary id, written into every frame packed with it
  std::string bytes;
};

// Trains a dictionary of at most `capacity` bytes on `samples` (statement JSON texts).
// FailedPrecondition when zstd finds too little to learn from (too few or too alike samples).
Result<XapiDictionary> TrainXapiDictionary(std::span<const std::string> samples,
                                           std::size_t capacity = 16 * 1024);

// The right to train the dictionary of one database file, held by one connection of the
// process at a time (the others store text meanwhile): four senders reaching the first 1,000
// statements at once used to train four dictionaries side by side.
class TrainingClaim {
 public:
  // `file`: the database's full path; "" (a database of the connection's own) is always
  // claimed.
  explicit TrainingClaim(std::string file);
  ~TrainingClaim();
  TrainingClaim(const TrainingClaim&) = delete;
  TrainingClaim& operator=(const TrainingClaim&) = delete;

  // False when another connection holds the file's claim.
  bool ok() const { return ok_; }

 private:
  std::string file_;
  bool ok_ = true;
};

class ZstdPacker final : public XapiPacker {
 public:
  // InvalidArgument when `bytes` is not a zstd dictionary.
  static Result<std::shared_ptr<const ZstdPacker>> Create(const XapiDictionary& dictionary);
  ~ZstdPacker() override;

  std::uint32_t id() const { return id_; }
  std::string Pack(std::string_view json) const override;

 private:
  ZstdPacker(std::uint32_t id, ZSTD_CDict_s* dict) : id_(id), dict_(dict) {}
  std::uint32_t id_;
  ZSTD_CDict_s* dict_;
};

// Unpacks what a ZstdPacker packed. Not thread-safe (one per connection).
class ZstdUnpacker {
 public:
  // `load(id)` fetches a dictionary this unpacker has not seen (NotFound when there is none).
  explicit ZstdUnpacker(std::function<Result<std::string>(std::uint32_t id)> load);
  ~ZstdUnpacker();
  ZstdUnpacker(const ZstdUnpacker&) = delete;
  ZstdUnpacker& operator=(const ZstdUnpacker&) = delete;

  // The JSON text of a packed statement; Internal naming `what` for a damaged one.
  Result<std::string> Unpack(std::string_view packed, std::string_view what);

 private:
  std::function<Result<std::string>(std::uint32_t)> load_;
  ZSTD_DCtx_s* ctx_;
  std::unordered_map<std::uint32_t, ZSTD_DDict_s*> dicts_;
};

}  // namespace pw::sqlite
