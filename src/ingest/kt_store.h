// Pathwise's own evidence as a knowledge-tracing log: the answers of one competency framework,
// read from a Store, in the same KtLog form the file readers produce (ingest/kt_log.h).
//
//   KtVocab vocab;
//   PW_ASSIGN_OR_RETURN(KtLog log, ReadKtLogFromStore(store, framework_id, {}, vocab));
//
// Each evidence event is one answer: the student is the person id, the item is the activity
// ("a<id>", or "c<id>" for evidence recorded against a competency directly), and the skills are
// the event's competency, or else the activity's aligned competencies, kept only when they
// belong to the framework (events with none are left out and counted in skipped_rows). A score
// of 0.5 or more counts as correct. Skill names are competency ids in decimal, the key the
// learner profile looks fitted parameters up by. Answers come ordered by student, then time.
#pragma once

#include "core/ids.h"
#include "core/status.h"
#include "ingest/kt_log.h"
#include "store/store.h"

namespace pw::ingest {

Result<KtLog> ReadKtLogFromStore(Store& store, Id framework_id, const KtReadOptions& options,
                                 KtVocab& vocab);

}  // namespace pw::ingest
