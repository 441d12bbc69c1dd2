// The xAPI 1.0.3 resources of Pathwise's Learning Record Store, under /xapi/ (docs/xapi.md):
//   /xapi/statements           PUT, POST, GET (every query parameter, `more` paging, formats,
//                              attachments as multipart/mixed), HEAD
//   /xapi/activities/state     PUT, POST (merge), GET (one or the id list), DELETE
//   /xapi/activities/profile   PUT, POST, GET, DELETE (ETag concurrency)
//   /xapi/agents/profile       PUT, POST, GET, DELETE (ETag concurrency)
//   /xapi/agents, /xapi/activities, /xapi/about
//   /api/v1/xapi/unmapped      GET (administrators): statements that did not become evidence
// Every route is Scope::kXapi (API clients with scope xapi, HTTP Basic) except /about, and
// answers with X-Experience-API-Version: 1.0.3.
#pragma once

#include <vector>

#include "server/api.h"

namespace pw::server {

std::vector<Route> XapiRoutes();

}  // namespace pw::server
