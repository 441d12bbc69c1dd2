// One sign-in of each role for a demo school, so `pathwise demo` can print them at start.
//
//   PW_ASSIGN_OR_RETURN(auto logins, CreateDemoLogins(store, school_id, {}, clock));
//   for (const DemoLogin& l : logins) out << l.role << "  " << l.login << "  " << l.password;
//
// Picks a teacher of a class of the school, one of that teacher's students, that student's
// guardian (creates a guardian person and link when the student has none), a leader (a person
// with role leader in the school or its district; created when there is none), and adds an
// administrator and a researcher without a person. Logins are demo-<role>; on a second run the
// existing logins get new passwords (their old sessions are revoked). Passwords are 20 random
// characters, printed once and stored only as Argon2id hashes.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "server/auth.h"
#include "store/store.h"

namespace pw::server {

struct DemoLogin {
  Role role;
  std::string login;
  std::string password;
  Id person_id = kNoId;
};

Result<std::vector<DemoLogin>> CreateDemoLogins(Store& store, Id school_id,
                                                const AuthOptions& options, const Clock& clock);

}  // namespace pw::server
