// OneRoster CSV import: a hand-written 1.1 package (bulk, then delta), the 1EdTech-style
// samples in ../shared/data/oneroster-sample (each defect its README lists is rejected with
// its precise reason), all-or-nothing, --check, re-import idempotence, guardians, deletions.
#include "ingest/oneroster.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "testing/test_util.h"

namespace pw::ingest {
namespace {

using Files = std::map<std::string, std::string>;
using pw::testing::SharedData;
using pw::testing::TempDir;

const char kManifest11[] =
    "propertyName,value\n"
    "manifest.version,1.0\n"
    "oneroster.version,1.1\n"
    "file.academicSessions,bulk\n"
    "file.classes,bulk\n"
    "file.courses,bulk\n"
    "file.demographics,bulk\n"
    "file.enrollments,bulk\n"
    "file.orgs,bulk\n"
    "file.users,bulk\n"
    "file.lineItems,absent\n";

// A small clean district: a district and a school, a year and a term, one course and class,
// a teacher, two students and a parent of the first.
Files CleanPackage() {
  return {
      {"manifest.csv", kManifest11},
      {"orgs.csv",
       "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
       "sch-1,active,2026-08-01T00:00:00Z,Lakeside Middle,school,LM,dist-1\n"
       "dist-1,active,2026-08-01T00:00:00Z,Lakeside District,district,LD,\n"},
      {"academicSessions.csv",
       "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,"
       "schoolYear\n"
       "term-1,,,Fall 2026,term,2026-09-01,2026-12-20,year-1,2027\n"
       "year-1,,,2026-27,schoolYear,2026-09-01,2027-06-15,,2027\n"},
      {"courses.csv",
       "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
       "orgSourcedId,subjects,subjectCodes\n"
       "crs-1,,,year-1,Math 6,M6,06,sch-1,Math,\n"},
      {"classes.csv",
       "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
       "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
       "cls-1,,,Math 6 - 1,06,crs-1,M6-1,scheduled,Room 4,sch-1,term-1,Math,,2\n"},
      {"users.csv",
       "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
       "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
       "password\n"
       "t-1,,,true,sch-1,teacher,ada,,Ada,Lovelace,,,ada@lm.org,,,,,\n"
       "s-1,,,true,sch-1,student,bo,,Bo,Diaz,,,,,,p-1,06,\n"
       "s-2,,,TRUE,sch-1,student,cy,,Cy,Evans,,,,,,,06,\n"
       "p-1,,,true,sch-1,parent,dee,,Dee,Diaz,,,dee@mail.org,,,s-1,,\n"},
      {"enrollments.csv",
       "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
       "primary,beginDate,endDate\n"
       "e-1,,,cls-1,sch-1,t-1,teacher,true,2026-09-01,\n"
       "e-2,,,cls-1,sch-1,s-1,student,false,,\n"
       "e-3,,,cls-1,sch-1,s-2,student,false,,\n"},
      {"demographics.csv",
       "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
       "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
       "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
       "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\n"
       "s-1,,,2014-03-02,female,false,true,false,false,true,true,false,US,OR,Salem,\n"},
  };
}

class OneRosterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore("sqlite:" + dir_.File("p.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    PW_ASSERT_OK(store_->Migrate());
  }

  ImportReport Import(const Files& files, ImportOptions options = {}) {
    FilePackage pkg = FilePackage::FromMemory("pkg", files);
    auto r = ImportOneRoster(*store_, pkg, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport();
  }

  ImportReport ImportPath(const std::string& path, ImportOptions options = {}) {
    auto pkg = FilePackage::Open(path);
    EXPECT_TRUE(pkg.ok()) << pkg.status().ToString();
    if (!pkg.ok()) return ImportReport();
    auto r = ImportOneRoster(*store_, *pkg, options);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ImportReport();
  }

  Person PersonBySource(const std::string& sid) {
    auto p = store_->FindPersonBySourceId(sid);
    EXPECT_TRUE(p.ok() && p->has_value()) << sid;
    return p.ok() && p->has_value() ? **p : Person();
  }

  std::int64_t PeopleCount() {
    auto page = store_->ListPeople({}, {kNoId, 1000});
    return page.ok() ? static_cast<std::int64_t>(page->items.size()) : -1;
  }

  const EntityCounts& C(const ImportReport& r, const std::string& entity) {
    for (const auto& [n, c] : r.entities) {
      if (n == entity) return c;
    }
    static EntityCounts none;
    ADD_FAILURE() << "no entity " << entity;
    return none;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(OneRosterTest, CleanBulkPackageImportsEveryEntity) {
  ImportReport r = Import(CleanPackage());
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r, "orgs").created, 2);
  EXPECT_EQ(C(r, "academicSessions").created, 2);
  EXPECT_EQ(C(r, "courses").created, 1);
  EXPECT_EQ(C(r, "users").read, 4);
  EXPECT_EQ(C(r, "users").created, 4);
  EXPECT_EQ(C(r, "classes").created, 1);
  EXPECT_EQ(C(r, "enrollments").created, 3);
  EXPECT_EQ(C(r, "guardianLinks").created, 1);  // s-1 <-> p-1, named from both sides
  EXPECT_EQ(C(r, "guardianLinks").unchanged, 1);
  EXPECT_EQ(C(r, "demographics").created, 1);
  EXPECT_EQ(r.warnings, std::vector<std::string>{});

  // Parents first: the school points at the district that came after it in the file.
  auto orgs = store_->ListOrgs();
  PW_ASSERT_OK(orgs);
  ASSERT_EQ(orgs->size(), 2u);
  const Org& district = (*orgs)[0].source_id == "dist-1" ? (*orgs)[0] : (*orgs)[1];
  const Org& school = (*orgs)[0].source_id == "sch-1" ? (*orgs)[0] : (*orgs)[1];
  EXPECT_EQ(school.parent_id, district.id);
  EXPECT_EQ(school.type, OrgType::kSchool);

  Person s1 = PersonBySource("s-1");
  EXPECT_EQ(s1.role, Role::kStudent);
  EXPECT_EQ(s1.grade, "06");
  EXPECT_EQ(s1.org_id, school.id);
  Person parent = PersonBySource("p-1");
  EXPECT_EQ(parent.role, Role::kGuardian);
  auto links = store_->ListGuardianLinks(s1.id, std::nullopt);
  PW_ASSERT_OK(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].guardian_id, parent.id);

  auto demo = store_->GetDemographics(s1.id);
  PW_ASSERT_OK(demo);
  ASSERT_TRUE(demo->has_value());
  EXPECT_EQ(FormatDate(*(*demo)->birth_date), "2014-03-02");
  EXPECT_EQ((*demo)->races, "asian,white,demographicRaceTwoOrMoreRaces");
  EXPECT_EQ((*demo)->hispanic_or_latino, std::optional<bool>(false));
  EXPECT_EQ((*demo)->city_of_birth, "Salem");

  auto classes = store_->ListClasses({});
  PW_ASSERT_OK(classes);
  ASSERT_EQ(classes->size(), 1u);
  EXPECT_EQ((*classes)[0].period, "2");
  auto enrolled = store_->ListEnrollments((*classes)[0].id, std::nullopt);
  PW_ASSERT_OK(enrolled);
  EXPECT_EQ(enrolled->size(), 3u);
}

TEST_F(OneRosterTest, ReimportingTheSamePackageChangesNothing) {
  ASSERT_TRUE(Import(CleanPackage()).ok());
  ImportReport again = Import(CleanPackage());
  ASSERT_TRUE(again.ok());
  for (const auto& [name, c] : again.entities) {
    EXPECT_EQ(c.created, 0) << name;
    EXPECT_EQ(c.updated, 0) << name;
    EXPECT_EQ(c.deleted, 0) << name;
  }
  EXPECT_EQ(C(again, "users").unchanged, 4);
  EXPECT_EQ(C(again, "enrollments").unchanged, 3);
}

TEST_F(OneRosterTest, CheckValidatesAndCountsButWritesNothing) {
  ImportOptions opts;
  opts.check = true;
  ImportReport r = Import(CleanPackage(), opts);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.check);
  EXPECT_EQ(C(r, "users").created, 4);
  EXPECT_EQ(PeopleCount(), 0);
  EXPECT_EQ(store_->ListOrgs()->size(), 0u);
}

TEST_F(OneRosterTest, OneBadRowRejectsTheWholePackage) {
  Files f = CleanPackage();
  f["enrollments.csv"] += "e-4,,,cls-1,sch-1,s-9,student,false,,\n";  // s-9 is nowhere
  ImportReport r = Import(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.messages(),
            std::vector<std::string>{
                "enrollments.csv:5: column \"userSourcedId\": user \"s-9\" is neither in the "
                "package nor in the database"});
  EXPECT_EQ(C(r, "enrollments").rejected, 1);
  EXPECT_EQ(C(r, "enrollments").read, 4);
  EXPECT_EQ(PeopleCount(), 0);
  EXPECT_EQ(r.ErrorStatus(),
            InvalidArgumentError("pkg: 1 error, nothing imported\n  enrollments.csv:5: column "
                                 "\"userSourcedId\": user \"s-9\" is neither in the package nor "
                                 "in the database"));
}

TEST_F(OneRosterTest, DeltaUpdatesAndHonoursTobedeleted) {
  ASSERT_TRUE(Import(CleanPackage()).ok());
  Files delta = {
      {"manifest.csv",
       "propertyName,value\noneroster.version,1.1\nfile.users,delta\nfile.enrollments,delta\n"
       "file.orgs,absent\n"},
      {"users.csv",
       "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
       "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
       "password\n"
       "s-2,active,2026-10-01,true,sch-1,student,cy,,Cyrus,Evans,,,,,,,07,\n"
       "p-1,tobedeleted,2026-10-01,true,sch-1,parent,dee,,Dee,Diaz,,,,,,s-1,,\n"},
      {"enrollments.csv",
       "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
       "primary,beginDate,endDate\n"
       "e-3,tobedeleted,2026-10-01,cls-1,sch-1,s-2,student,false,,\n"
       "e-9,tobedeleted,2026-10-01,cls-1,sch-1,s-2,student,false,,\n"},
  };
  ImportReport r = Import(delta);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r, "users").updated, 1);
  EXPECT_EQ(C(r, "users").deleted, 1);
  EXPECT_EQ(C(r, "enrollments").deleted, 1);
  EXPECT_EQ(C(r, "enrollments").unchanged, 1);  // e-9 was never there
  EXPECT_EQ(PersonBySource("s-2").given_name, "Cyrus");
  EXPECT_EQ(PersonBySource("s-2").grade, "07");
  Person s2 = PersonBySource("s-2");
  EXPECT_EQ(store_->ListEnrollments(std::nullopt, s2.id)->size(), 0u);
  // The parent keeps their record, loses the link.
  Person p1 = PersonBySource("p-1");
  EXPECT_EQ(store_->ListGuardianLinks(std::nullopt, p1.id)->size(), 0u);
}

TEST_F(OneRosterTest, ReferencesMayPointAtRowsAlreadyStored) {
  ASSERT_TRUE(Import(CleanPackage()).ok());
  Files delta = {
      {"manifest.csv", "propertyName,value\noneroster.version,1.1\nfile.enrollments,delta\n"},
      {"enrollments.csv",
       "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
       "primary,beginDate,endDate\n"
       "e-5,active,,cls-1,sch-1,p-1,aide,false,,\n"},
  };
  ImportReport r = Import(delta);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r, "enrollments").created, 1);
}

TEST_F(OneRosterTest, HeaderProblemsAreNamed) {
  Files f = CleanPackage();
  f["orgs.csv"] =
      "sourcedId,status,dataLastModified,name,type,,identifier,parentSourcedId\n"
      "dist-1,,,D,district,,,\n";
  f["courses.csv"] =
      "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
      "subjects\n";
  ImportReport r = Import(f);
  EXPECT_EQ(
      r.errors.messages(),
      (std::vector<std::string>{"orgs.csv:1: unknown column \"dataLastModified\" (did you mean "
                                "\"dateLastModified\"?)",
                                "orgs.csv:1: column 6 has no name",
                                "courses.csv:1: missing column \"orgSourcedId\""}));
}

TEST_F(OneRosterTest, ErrorMessagesAreCapped) {
  Files f = CleanPackage();
  std::string users = f["users.csv"];
  for (int i = 0; i < 5; ++i) {
    users += "x-" + std::to_string(i) + ",,,maybe,sch-1,student,u,,A,B,,,,,,,,\n";
  }
  f["users.csv"] = users;
  ImportOptions opts;
  opts.max_errors = 2;
  ImportReport r = Import(f, opts);
  EXPECT_EQ(r.errors.total(), 5u);
  EXPECT_EQ(C(r, "users").rejected, 5);
  EXPECT_EQ(r.ErrorStatus().message(),
            "pkg: 5 errors, nothing imported\n"
            "  users.csv:6: column \"enabledUser\": expected true or false, got \"maybe\"\n"
            "  users.csv:7: column \"enabledUser\": expected true or false, got \"maybe\"\n"
            "  ... and 3 more");
}

TEST_F(OneRosterTest, ManifestProblems) {
  Files f = CleanPackage();
  f["manifest.csv"] = "propertyName,value\noneroster.version,1.3\nfile.users,sometimes\n";
  EXPECT_EQ(Import(f).errors.messages(),
            (std::vector<std::string>{
                "manifest.csv:2: column \"value\": expected oneroster.version 1.1 or 1.2, got "
                "\"1.3\"",
                "manifest.csv:3: file.users: expected bulk, delta or absent, got \"sometimes\""}));
  f.erase("manifest.csv");
  EXPECT_EQ(Import(f).errors.messages(),
            std::vector<std::string>{"pkg: manifest.csv: missing (a OneRoster package needs one)"});
}

TEST_F(OneRosterTest, DirectoryPackage) {
  std::filesystem::create_directories(dir_.path() / "pkg");
  for (const auto& [name, text] : CleanPackage()) {
    pw::testing::WriteFile(dir_.path() / "pkg" / name, text);
  }
  ImportReport r = ImportPath((dir_.path() / "pkg").string());
  EXPECT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r, "users").created, 4);
}

// ---- the shared samples (../shared/data/oneroster-sample; README lists their defects)

class OneRosterSampleTest : public OneRosterTest {
 protected:
  void SetUp() override {
    OneRosterTest::SetUp();
    auto d = SharedData("oneroster-sample");
    if (!d) GTEST_SKIP() << "../shared/data/oneroster-sample is absent";
    dir = *d;
  }
  std::filesystem::path dir;
};

TEST_F(OneRosterSampleTest, V12DeltaImportsAndReimportsUnchanged) {
  const std::string zip = (dir / "oneroster_test_data.zip").string();
  ImportReport r = ImportPath(zip);
  ASSERT_TRUE(r.ok()) << r.ErrorStatus().ToString();
  EXPECT_EQ(C(r, "orgs").created, 1);
  EXPECT_EQ(C(r, "academicSessions").created, 1);
  EXPECT_EQ(C(r, "courses").created, 1);
  EXPECT_EQ(C(r, "users").created, 1);
  EXPECT_EQ(C(r, "roles").read, 1);
  EXPECT_EQ(C(r, "userProfiles").read, 1);
  EXPECT_EQ(C(r, "classes").created, 1);
  EXPECT_EQ(C(r, "enrollments").created, 1);
  EXPECT_EQ(C(r, "demographics").created, 1);
  EXPECT_EQ(r.warnings, std::vector<std::string>{
                            "userProfiles.csv: 1 rows checked, not stored (Pathwise keeps its own "
                            "sign-in accounts)"});
  // 1.2: the role and the org come from roles.csv.
  Person bruce = PersonBySource("USER_0");
  EXPECT_EQ(bruce.given_name, "Bruce");
  EXPECT_EQ(bruce.role, Role::kStudent);
  EXPECT_NE(bruce.org_id, kNoId);
  auto demo = store_->GetDemographics(bruce.id);
  PW_ASSERT_OK(demo);
  ASSERT_TRUE(demo->has_value());
  EXPECT_EQ(FormatDate(*(*demo)->birth_date), "2010-04-17");

  ImportReport again = ImportPath(zip);
  ASSERT_TRUE(again.ok());
  for (const auto& [name, c] : again.entities) {
    EXPECT_EQ(c.created + c.updated + c.deleted, 0) << name;
  }
}

TEST_F(OneRosterSampleTest, FullV11SampleIsRejectedForEachDefect) {
  ImportReport r = ImportPath((dir / "Test_full_data_set.zip").string());
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                // tobedeleted and inactive rows in a bulk file
                "academicSessions.csv:2: column \"status\": expected active or blank in a bulk "
                "file (tobedeleted belongs in a delta file), got \"tobedeleted\"",
                "academicSessions.csv:4: column \"status\": expected active or blank in a bulk "
                "file (tobedeleted belongs in a delta file), got \"inactive\"",
                "classes.csv:3: column \"status\": expected active or blank in a bulk file "
                "(tobedeleted belongs in a delta file), got \"tobedeleted\"",
                // the parent org that is not in the package
                "orgs.csv:2: column \"parentSourcedId\": org \"org-sch-222-3456\" is neither in "
                "the package nor in the database",
                // session parents that are not in the package
                "academicSessions.csv:3: column \"parentSourcedId\": academic session "
                "\"as-syr-222-2023\" is neither in the package nor in the database",
                "academicSessions.csv:6: column \"parentSourcedId\": academic session "
                "\"as-syr-222-2023\" is neither in the package nor in the database",
                // classType "Scheduled" (the vocabulary is lowercase)
                "classes.csv:2: column \"classType\": expected homeroom or scheduled, got "
                "\"Scheduled\"",
                // courses are absent from the package
                "classes.csv:2: column \"courseSourcedId\": course \"crs-222-2023-456-12345\" is "
                "neither in the package nor in the database",
                "classes.csv:3: column \"courseSourcedId\": course \"crs-222-2023-456-23456\" is "
                "neither in the package nor in the database",
            }));
  EXPECT_EQ(r.errors.total(), 9u);
  EXPECT_EQ(PeopleCount(), 0);
}

TEST_F(OneRosterSampleTest, MinimalV11SampleIsRejectedForClassTypeAndMissingCourses) {
  ImportReport r = ImportPath((dir / "Test_minimal_data_set.zip").string());
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                "classes.csv:2: column \"classType\": expected homeroom or scheduled, got "
                "\"Scheduled\"",
                "classes.csv:2: column \"courseSourcedId\": course \"crs-222-2023-456-12345\" is "
                "neither in the package nor in the database",
                "classes.csv:3: column \"courseSourcedId\": course \"crs-222-2023-456-23456\" is "
                "neither in the package nor in the database",
            }));
  EXPECT_EQ(C(r, "classes").rejected, 2);
  EXPECT_EQ(C(r, "users").rejected, 0);
}

TEST_F(OneRosterSampleTest, FullV12SampleIsRejectedForItsManifest) {
  ImportReport r = ImportPath((dir / "v1p2_full_dataset.zip").string());
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                "manifest.csv:21: file.scoreScales: expected bulk, delta or absent, got \"\"",
                "manifest.csv:22: file.userProfiles: expected bulk, delta or absent, got \"\"",
                "manifest.csv:23: file.userResources: expected bulk, delta or absent, got \"\"",
            }));
}

// The same package with its manifest repaired: the file-level defects come next.
TEST_F(OneRosterSampleTest, FullV12SampleFileDefects) {
  auto pkg = FilePackage::Open((dir / "v1p2_full_dataset.zip").string());
  PW_ASSERT_OK(pkg);
  Files files;
  for (const std::string& n : pkg->Names()) files[n] = *pkg->Read(n);
  std::string& manifest = files["manifest.csv"];
  for (const char* key : {"file.scoreScales,", "file.userResources,"}) {
    manifest.replace(manifest.find(key), std::string(key).size(), std::string(key) + "absent");
  }
  manifest.replace(manifest.find("file.userProfiles,"), 18, "file.userProfiles,bulk");
  ImportReport r = Import(files);
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                "userProfiles.csv: missing, but the manifest lists file.userProfiles as bulk "
                "(found \"userprofiles.csv\"; file names are case-sensitive)"}));
  // userProfiles declared absent: the CSV defects are reported.
  manifest.replace(manifest.find("file.userProfiles,bulk"), 22, "file.userProfiles,absent");
  r = Import(files);
  EXPECT_EQ(r.errors.messages(),
            (std::vector<std::string>{
                "users.csv:1: unknown column \"prefferedGivenName\" (did you mean "
                "\"preferredGivenName\"?)",
                "users.csv:1: unknown column \"prefferedMiddleName\" (did you mean "
                "\"preferredMiddleName\"?)",
                "users.csv:1: unknown column \"prefferedFamilyName\" (did you mean "
                "\"preferredFamilyName\"?)",
                "roles.csv:1: unknown column \"dataLastModified\" (did you mean "
                "\"dateLastModified\"?)",
                "roles.csv:1: column 10 has no name",
                "roles.csv:1: column 11 has no name",
            }));
}

TEST_F(OneRosterSampleTest, NonIsoDatesAreRejected) {
  // v1p2 users.csv writes dateLastModified as 1/05/2023: fix its header, keep its dates.
  auto pkg = FilePackage::Open((dir / "v1p2_full_dataset.zip").string());
  PW_ASSERT_OK(pkg);
  std::string users = *pkg->Read("users.csv");
  for (const char* part : {"GivenName", "MiddleName", "FamilyName"}) {
    const std::string bad = std::string("preffered") + part;
    users.replace(users.find(bad), bad.size(), std::string("preferred") + part);
  }
  Files f = CleanPackage();
  f["manifest.csv"] = "propertyName,value\noneroster.version,1.2\nfile.users,delta\n";
  f.erase("users.csv");
  Files only = {{"manifest.csv", f["manifest.csv"]}, {"users.csv", users}};
  ImportReport r = Import(only);
  ASSERT_FALSE(r.errors.messages().empty());
  EXPECT_EQ(r.errors.messages()[0],
            "users.csv:2: column \"dateLastModified\": expected an ISO 8601 date-time such as "
            "2023-05-01T18:25:43.511Z, got \"1/05/2023\"");
}

}  // namespace
}  // namespace pw::ingest
