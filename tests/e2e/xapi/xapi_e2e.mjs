// End-to-end: the real npm xAPI client (@xapi/xapi) against a running `pathwise serve`.
// Environment: PW_URL (http://127.0.0.1:PORT), PW_KEY / PW_SECRET (an API client with scope
// xapi), PW_ADMIN / PW_ADMIN_PASSWORD (an administrator, to read the student's evidence).
// Exits non-zero with a message on the first failed check.
import XAPI from "@xapi/xapi";
import assert from "node:assert/strict";

const base = process.env.PW_URL;
const xapi = new XAPI({
  endpoint: `${base}/xapi/`,
  auth: XAPI.toBasicAuth(process.env.PW_KEY, process.env.PW_SECRET),
  version: "1.0.3",
});

async function api(path, token, init = {}) {
  const res = await fetch(`${base}${path}`, {
    ...init,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

process.on("unhandledRejection", (e) => {
  const detail = e?.response ? `${e.response.status} ${JSON.stringify(e.response.data)}` : "";
  console.error(`xapi e2e: FAILED: ${e?.message ?? e} ${detail}`);
  process.exit(1);
});

// The administrator finds a student, and an activity that student has evidence for.
const login = await api("/api/v1/auth/login", null, {
  method: "POST",
  body: JSON.stringify({ login: process.env.PW_ADMIN, password: process.env.PW_ADMIN_PASSWORD }),
});
const token = login.token;
const students = await api("/api/v1/students?limit=1", token);
const student = students.items[0];
const evidenceOf = async () => {
  const all = [];
  let after = 0;
  for (;;) {
    const page = await api(`/api/v1/students/${student.id}/evidence?limit=1000&after=${after}`, token);
    all.push(...page.items);
    if (page.next_after === null) return all;
    after = page.next_after;
  }
};
const masteryOf = async () => (await api(`/api/v1/students/${student.id}/profile`, token)).mastery;
const before = await evidenceOf();
const masteryBefore = await masteryOf();
assert.ok(before.length > 0, "the demo student has evidence");
// Demo activity source ids are not IRIs; xAPI reaches them as urn:pathwise:activity:<source id>.
const activityIri = `urn:pathwise:activity:sim-activity-${before[0].activity_id}`;

const actor = { objectType: "Agent", name: "E2E", mbox: `mailto:${student.email}` };
const verb = { id: "http://adlnet.gov/expapi/verbs/answered", display: { "en-US": "answered" } };
const statement = { actor, verb, object: { objectType: "Activity", id: activityIri }, result: { success: true } };

// send
const sent = await xapi.sendStatement({ statement });
const id = sent.data[0];
assert.match(id, /^[0-9a-f-]{36}$/);

// a statement from the real client created the student's evidence
const after = await evidenceOf();
const mine = after.filter((e) => e.source_record === id);
assert.ok(mine.length >= 1, `evidence for statement ${id}`);
assert.equal(mine[0].student_id, student.id);
assert.equal(mine[0].source_system, `xapi:${process.env.PW_KEY}`);
assert.equal(after.length, before.length + mine.length);

// ... and moved the student's mastery of that competency, in the same transaction
const masteryAfter = await masteryOf();
for (const competency of new Set(mine.map((e) => e.competency_id))) {
  const was = masteryBefore.find((m) => m.competency_id === competency);
  const now = masteryAfter.find((m) => m.competency_id === competency);
  assert.ok(now, `a mastery estimate for competency ${competency}`);
  const added = mine.filter((e) => e.competency_id === competency).length;
  assert.equal(now.attempts, (was ? was.attempts : 0) + added, `attempts on competency ${competency}`);
  assert.ok(now.p >= 0 && now.p <= 1, "a probability of mastery");
}

// query
const found = await xapi.getStatements({ agent: actor, verb: verb.id });
assert.ok(found.data.statements.some((s) => s.id === id), "query by agent and verb finds it");
const one = await xapi.getStatement({ statementId: id });
assert.equal(one.data.id, id);

// void
await xapi.voidStatement({ actor, statementId: id });
await assert.rejects(xapi.getStatement({ statementId: id }), "a voided statement is gone");
const voided = await xapi.getVoidedStatement({ voidedStatementId: id });
assert.equal(voided.data.id, id);

// documents
const agent = actor;
const activityId = activityIri;
await xapi.setState({ agent, activityId, stateId: "bookmark", state: { page: 3 } });
const state = await xapi.getState({ agent, activityId, stateId: "bookmark" });
assert.deepEqual(state.data, { page: 3 });
await xapi.createActivityProfile({ activityId, profileId: "settings", profile: { level: 2 } });
const profile = await xapi.getActivityProfile({ activityId, profileId: "settings" });
assert.deepEqual(profile.data, { level: 2 });
const about = await xapi.getAbout();
assert.ok(about.data.version.includes("1.0.3"));

console.log(`xapi e2e: ok (statement ${id} -> ${mine.length} evidence event(s) and mastery updates for student ${student.id})`);
