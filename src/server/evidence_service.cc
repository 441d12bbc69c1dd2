#include "server/evidence_service.h"

#include "server/profile_service.h"

namespace pw::server {

Status RecordEvidence(Store& store, std::span<EvidenceEvent> events) {
  return store.Transaction([&]() -> Status {
    PW_RETURN_IF_ERROR(store.AppendEvidence(events));
    return UpdateMasteryForEvidence(store, events);
  });
}

}  // namespace pw::server
