#include "store/sqlite/xapi_packing.h"

#define ZDICT_STATIC_LINKING_ONLY  // ZDICT_trainFromBuffer_fastCover, exported by libzstd
#include <zdict.h>
#include <zstd.h>

#include <mutex>
#include <set>
#include <vector>

namespace pw::sqlite {
namespace {

// zstd's default: the best ratio per CPU for small records (level 1 packs the bench's
// statements 1% larger and 10% faster).
constexpr int kLevel = 3;
// A statement is at most a few hundred KB; a frame claiming more is damaged.
constexpr unsigned long long kMaxUnpacked = 64ull << 20;

// One compression context per thread: a CDict is shared read-only, a CCtx is not.
struct CCtxHolder {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ~CCtxHolder() { ZSTD_freeCCtx(ctx); }
};

// The dictionary trainer's settings (zstd's fastCover): segments of 1,000 bytes, 8-byte d-mers,
// a 2^16 frequency table. ZDICT_trainFromBuffer tries four segment sizes on a 2^20 table: the
// same ratio on the bench's statements (862 bytes to 91 either way) for 87 ms of one core instead
// of 6 ms, and a server trains once a database, in the middle of its first requests.
constexpr unsigned kSegment = 1000;
constexpr unsigned kDmer = 8;
constexpr unsigned kFrequencyLog = 16;

// The files a TrainingClaim holds, and their lock.
std::mutex& ClaimsMu() {
  static std::mutex mu;
  return mu;
}

std::set<std::string>& Claimed() {
  static auto* files = new std::set<std::string>();  // never freed
  return *files;
}

}  // namespace

Result<XapiDictionary> TrainXapiDictionary(std::span<const std::string> samples,
                                           std::size_t capacity) {
  std::string all;
  std::vector<std::size_t> sizes;
  sizes.reserve(samples.size());
  for (const std::string& s : samples) {
    all += s;
    sizes.push_back(s.size());
  }
  std::string dict(capacity, '\0');
  ZDICT_fastCover_params_t params{};
  params.k = kSegment;
  params.d = kDmer;
  params.f = kFrequencyLog;
  params.nbThreads = 1;
  params.zParams.compressionLevel = kLevel;
  const std::size_t n = ZDICT_trainFromBuffer_fastCover(
      dict.data(), dict.size(), all.data(), sizes.data(), static_cast<unsigned>(sizes.size()),
      params);
  if (ZDICT_isError(n)) {
    return FailedPreconditionError("xAPI dictionary: zstd could not train on {} statements: {}",
                                   samples.size(), ZDICT_getErrorName(n));
  }
  dict.resize(n);
  XapiDictionary out;
  out.id = ZDICT_getDictID(dict.data(), dict.size());
  out.bytes = std::move(dict);
  if (out.id == 0) return FailedPreconditionError("xAPI dictionary: zstd gave no dictionary id");
  return out;
}

TrainingClaim::TrainingClaim(std::string file) : file_(std::move(file)) {
  if (file_.empty()) return;
  std::lock_guard lock(ClaimsMu());
  ok_ = Claimed().insert(file_).second;
}

TrainingClaim::~TrainingClaim() {
  if (file_.empty() || !ok_) return;
  std::lock_guard lock(ClaimsMu());
  Claimed().erase(file_);
}

Result<std::shared_ptr<const ZstdPacker>> ZstdPacker::Create(const XapiDictionary& dictionary) {
  if (ZDICT_getDictID(dictionary.bytes.data(), dictionary.bytes.size()) != dictionary.id) {
    return InvalidArgumentError("xAPI dictionary {}: not a zstd dictionary with that id",
                                dictionary.id);
  }
  ZSTD_CDict* dict = ZSTD_createCDict(dictionary.bytes.data(), dictionary.bytes.size(), kLevel);
  if (dict == nullptr) {
    return InvalidArgumentError("xAPI dictionary {}: zstd cannot load it", dictionary.id);
  }
  return std::shared_ptr<const ZstdPacker>(new ZstdPacker(dictionary.id, dict));
}

ZstdPacker::~ZstdPacker() { ZSTD_freeCDict(dict_); }

std::string ZstdPacker::Pack(std::string_view json) const {
  thread_local CCtxHolder holder;
  std::string out(ZSTD_compressBound(json.size()), '\0');
  const std::size_t n =
      ZSTD_compress_usingCDict(holder.ctx, out.data(), out.size(), json.data(), json.size(), dict_);
  if (ZSTD_isError(n) || n >= json.size()) return std::string();
  out.resize(n);
  return out;
}

ZstdUnpacker::ZstdUnpacker(std::function<Result<std::string>(std::uint32_t)> load)
    : load_(std::move(load)), ctx_(ZSTD_createDCtx()) {}

ZstdUnpacker::~ZstdUnpacker() {
  for (auto& [id, dict] : dicts_) ZSTD_freeDDict(dict);
  ZSTD_freeDCtx(ctx_);
}

Result<std::string> ZstdUnpacker::Unpack(std::string_view packed, std::string_view what) {
  const unsigned id = ZSTD_getDictID_fromFrame(packed.data(), packed.size());
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxUnpacked) {
    return InternalError("{}: the stored statement is damaged (not a zstd frame of known size)",
                         what);
  }
  ZSTD_DDict* dict = nullptr;
  if (id != 0) {
    auto it = dicts_.find(id);
    if (it == dicts_.end()) {
      PW_ASSIGN_OR_RETURN(std::string bytes, load_(id));
      ZSTD_DDict* loaded = ZSTD_createDDict(bytes.data(), bytes.size());
      if (loaded == nullptr) {
        return InternalError("{}: xAPI dictionary {} is damaged", what, id);
      }
      it = dicts_.emplace(id, loaded).first;
    }
    dict = it->second;
  }
  std::string out(static_cast<std::size_t>(size), '\0');
  const std::size_t n =
      dict != nullptr
          ? ZSTD_decompress_usingDDict(ctx_, out.data(), out.size(), packed.data(), packed.size(),
                                       dict)
          : ZSTD_decompressDCtx(ctx_, out.data(), out.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != out.size()) {
    return InternalError("{}: the stored statement is damaged ({})", what,
                         ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
  }
  return out;
}

}  // namespace pw::sqlite
