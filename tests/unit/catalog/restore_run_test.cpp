#include "catalog/restore_run.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <sstream>

#include "catalog/catalog.h"
#include "s3tar/errors.h"

namespace s3tar::catalog {
namespace {

constexpr std::int64_t kNow = 1764000000;  // 2025-11-24T16:00:00Z

class FakeStore : public ArchiveStore {
 public:
  std::map<std::string, ArchiveHead> heads;
  std::map<std::string, std::string> objects;
  std::vector<std::string> requests;  // "key tier days"
  Answer answer = Answer::kStarted;
  bool fail_writes = false;

  ArchiveHead head(const std::string&, const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = heads.find(key);
    if (it == heads.end()) return ArchiveHead{false, "", "", "", "", 0};
    return it->second;
  }
  std::optional<std::string> read(const std::string&, const std::string& key) override {
    auto it = objects.find(key);
    return it == objects.end() ? std::nullopt : std::optional(it->second);
  }
  Answer request_restore(const std::string&, const std::string& key, s3::ArchiveAccess, int days,
                         s3::RestoreTier tier) override {
    requests.push_back(key + " " + s3::to_string(tier) + " " + std::to_string(days));
    return answer;
  }
  void write(const std::string&, const std::string& key, const std::string& body) override {
    if (fail_writes) throw std::runtime_error("AccessDenied");
    objects[key] = body;
  }

 private:
  std::mutex mu_;
};

ArchiveHead head(std::string cls, std::string restore = "", std::uint64_t size = 3ull << 30) {
  return ArchiveHead{true, "ae-1", std::move(cls), "", std::move(restore), size};
}

std::vector<ArchiveRequest> archives(std::initializer_list<const char*> keys) {
  std::vector<ArchiveRequest> out;
  for (const char* k : keys) out.push_back({"arch", k, "ae-1", {{"logs/a.log", 1536, 10, "e"}}});
  return out;
}

RestoreOptions options(s3::RestoreTier tier = s3::RestoreTier::Bulk) {
  RestoreOptions o;
  o.tier = tier;
  o.days = 3;
  o.now = kNow;
  return o;
}

TEST(PrepareRestore, RequestsRecordsAndSaysRunAgainLater) {
  FakeStore store;
  store.heads["a.tar"] = head("DEEP_ARCHIVE");
  store.heads["b.tar"] = head("STANDARD");
  std::ostringstream out;
  try {
    prepare_restore(store, archives({"a.tar", "b.tar"}), options(), out);
    FAIL() << "no NotYetError";
  } catch (const NotYetError& e) {
    EXPECT_EQ(std::string(e.what()),
              "1 of 2 archives are not restored yet; run the same command again later");
  }
  EXPECT_EQ(store.requests, (std::vector<std::string>{"a.tar Bulk 3"}));
  const auto record = parse_restore_record(store.objects.at("a.tar.restore.json"));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->requested_at, kNow);
  const std::string text = out.str();
  EXPECT_NE(text.find("Restore 1 archive (3.000 GB) from DEEP_ARCHIVE, tier Bulk: estimated $0.0075 = "
                      "$0.0075 retrieval (3.000 GB x $0.0025/GB) + $0.000025 requests"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("s3://arch/a.tar: DEEP_ARCHIVE, restore in progress (requested 2025-11-24T16:00:00Z, Bulk)"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("b.tar"), std::string::npos) << text;
}

TEST(PrepareRestore, PendingStepsAreGivenBeforeNotYet) {
  FakeStore store;
  store.heads["a.tar"] = head("DEEP_ARCHIVE", "ongoing-request=\"true\"");
  store.heads["b.tar"] = head("GLACIER");
  std::ostringstream out;
  std::vector<ArchiveStep> pending;
  EXPECT_THROW(prepare_restore(store, archives({"a.tar", "b.tar"}), options(), out, &pending), NotYetError);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].step, Step::kWaiting);
  EXPECT_EQ(pending[1].step, Step::kWaiting);  // requested just now
  EXPECT_EQ(store.requests, (std::vector<std::string>{"b.tar Bulk 3"}));
}

TEST(PrepareRestore, DryRunPrintsTheCostAndRequestsNothing) {
  FakeStore store;
  store.heads["a.tar"] = head("DEEP_ARCHIVE");
  std::ostringstream out;
  auto o = options(s3::RestoreTier::Standard);
  o.dry_run = true;
  const auto steps = prepare_restore(store, archives({"a.tar"}), o, out);
  EXPECT_EQ(steps[0].step, Step::kRequest);
  EXPECT_TRUE(store.requests.empty());
  EXPECT_TRUE(store.objects.empty());
  EXPECT_NE(out.str().find("tier Standard: estimated $0.06"), std::string::npos) << out.str();
}

TEST(PrepareRestore, InProgressIsNotRequestedAgainAndSaysSinceWhen) {
  FakeStore store;
  store.heads["a.tar"] = head("DEEP_ARCHIVE", "ongoing-request=\"true\"");
  store.objects["a.tar.restore.json"] = render_restore_record({kNow - 7200, "Standard", 7});
  std::ostringstream out;
  EXPECT_THROW(prepare_restore(store, archives({"a.tar"}), options(), out), NotYetError);
  EXPECT_TRUE(store.requests.empty());
  EXPECT_NE(
      out.str().find("s3://arch/a.tar: DEEP_ARCHIVE, restore in progress (requested 2025-11-24T14:00:00Z, "
                     "Standard)"),
      std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("No restore to request"), std::string::npos);
}

TEST(PrepareRestore, RestoredArchivesAreReady) {
  FakeStore store;
  store.heads["a.tar"] =
      head("GLACIER", "ongoing-request=\"false\", expiry-date=\"Fri, 28 Nov 2025 00:00:00 GMT\"");
  store.heads["b.tar"] = head("GLACIER_IR");
  std::ostringstream out;
  const auto steps = prepare_restore(store, archives({"a.tar", "b.tar"}), options(), out);
  EXPECT_EQ(steps[0].step, Step::kReady);
  EXPECT_EQ(steps[1].step, Step::kReady);
  EXPECT_TRUE(store.requests.empty());
}

TEST(PrepareRestore, AnExpiredCopyIsRequestedAgain) {
  FakeStore store;
  store.heads["a.tar"] =
      head("DEEP_ARCHIVE", "ongoing-request=\"false\", expiry-date=\"Fri, 21 Nov 2025 00:00:00 GMT\"");
  std::ostringstream out;
  EXPECT_THROW(prepare_restore(store, archives({"a.tar"}), options(), out), NotYetError);
  EXPECT_EQ(store.requests, (std::vector<std::string>{"a.tar Bulk 3"}));
}

TEST(PrepareRestore, TheServersAnswersDecide) {
  FakeStore store;
  store.heads["a.tar"] = head("DEEP_ARCHIVE");
  std::ostringstream out;
  store.answer = ArchiveStore::Answer::kAlreadyRestored;
  EXPECT_EQ(prepare_restore(store, archives({"a.tar"}), options(), out)[0].step, Step::kReady);
  EXPECT_TRUE(store.objects.empty());
  store.answer = ArchiveStore::Answer::kInProgress;
  EXPECT_THROW(prepare_restore(store, archives({"a.tar"}), options(), out), NotYetError);
  EXPECT_TRUE(store.objects.empty()) << "no record for a restore someone else started";
}

TEST(PrepareRestore, ARecordThatCannotBeWrittenDoesNotStopTheRestore) {
  FakeStore store;
  store.heads["a.tar"] = head("DEEP_ARCHIVE");
  store.fail_writes = true;
  std::ostringstream out;
  EXPECT_THROW(prepare_restore(store, archives({"a.tar"}), options(), out), NotYetError);
  EXPECT_EQ(store.requests.size(), 1u);
}

TEST(PrepareRestore, ExpeditedOnDeepArchiveRequestsNothing) {
  FakeStore store;
  store.heads["a.tar"] = head("GLACIER");
  store.heads["b.tar"] = head("DEEP_ARCHIVE");
  std::ostringstream out;
  EXPECT_THROW(prepare_restore(store, archives({"a.tar", "b.tar"}), options(s3::RestoreTier::Expedited), out),
               UsageError);
  EXPECT_TRUE(store.requests.empty());
}

}  // namespace
}  // namespace s3tar::catalog
