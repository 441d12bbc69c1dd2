// The one way new evidence enters Pathwise at run time: xAPI statements, imports and the demo
// all call RecordEvidence, so every piece of evidence also moves the learner's mastery.
//
//   PW_RETURN_IF_ERROR(store.Transaction([&] { return server::RecordEvidence(store, events); }));
//
// It appends the events (Store::AppendEvidence: all or nothing, ids filled in) and brings each
// affected (student, competency) mastery estimate up to date, inside the caller's transaction
// when there is one, so a failure leaves neither the evidence nor the mastery changed.
#pragma once

#include <span>

#include "core/evidence.h"
#include "core/status.h"
#include "store/store.h"

namespace pw::server {

Status RecordEvidence(Store& store, std::span<EvidenceEvent> events);

}  // namespace pw::server
