#include "server/evidence_service.h"

namespace pw::server {

Status RecordEvidence(Store& store, std::span<EvidenceEvent> events) {
  // Mastery updates join here once learner profiles keep mastery in the store (issue 8).
  return store.Transaction([&]() -> Status { return store.AppendEvidence(events); });
}

}  // namespace pw::server
