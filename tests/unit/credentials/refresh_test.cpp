#include <atomic>
#include <thread>

#include "s3tar/s3/credentials/container_provider.h"
#include "s3tar/s3/credentials/process_provider.h"
#include "s3tar/s3/credentials/refreshing_provider.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using namespace std::chrono;

// Hands out credentials expiring `lifetime` after the (fake) now, counting loads.
class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(std::optional<seconds> lifetime, const system_clock::time_point* now)
      : lifetime_(lifetime), now_(now) {}
  std::optional<Credentials> load() override {
    int n = ++loads;
    if (fail) throw CredentialsError("source is down");
    std::this_thread::sleep_for(milliseconds(delay_ms));
    Credentials c;
    c.access_key_id = "AKID" + std::to_string(n);
    c.secret_access_key = "s";
    if (lifetime_) c.expiration = *now_ + *lifetime_;
    return c;
  }
  std::string name() const override { return "counting"; }

  std::atomic<int> loads{0};
  std::atomic<bool> fail{false};
  int delay_ms = 0;

 private:
  std::optional<seconds> lifetime_;
  const system_clock::time_point* now_;
};

struct FakeClock {
  system_clock::time_point now = system_clock::now();
  RefreshingProvider::Clock fn() {
    return [this] { return now; };
  }
};

TEST(Refreshing, CachesLongLivedCredentials) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(hours(1), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn());
  EXPECT_EQ(p.load()->access_key_id, "AKID1");
  clock.now += minutes(30);
  EXPECT_EQ(p.load()->access_key_id, "AKID1");
  EXPECT_EQ(inner->loads, 1);
  EXPECT_EQ(p.last_provider(), "counting");
}

TEST(Refreshing, ReloadsWithinTheMarginBeforeExpiry) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(hours(1), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn());
  EXPECT_EQ(p.load()->access_key_id, "AKID1");
  clock.now += minutes(56);  // 4 minutes left: inside the 5-minute margin
  EXPECT_EQ(p.load()->access_key_id, "AKID2");
  clock.now += minutes(10);
  EXPECT_EQ(p.load()->access_key_id, "AKID2");
  EXPECT_EQ(inner->loads, 2);
  EXPECT_EQ(p.reload_count(), 2u);
}

TEST(Refreshing, ShortLivedCredentialsAreFetchedEachTime) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(minutes(2), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn());
  p.load();
  p.load();
  EXPECT_EQ(inner->loads, 2);
}

TEST(Refreshing, ConfigurableMargin) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(minutes(2), &clock.now);
  RefreshingProvider p(inner, seconds(30), clock.fn());
  p.load();
  p.load();
  EXPECT_EQ(inner->loads, 1);
}

TEST(Refreshing, NonExpiringAreCachedUntilInvalidated) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(std::nullopt, &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn());
  p.load();
  clock.now += hours(100);
  p.load();
  EXPECT_EQ(inner->loads, 1);
  p.invalidate();
  EXPECT_EQ(p.load()->access_key_id, "AKID2");
}

TEST(Refreshing, FailedRefreshKeepsStillValidCredentials) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(hours(1), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn());
  p.load();
  inner->fail = true;
  clock.now += minutes(57);
  EXPECT_EQ(p.load()->access_key_id, "AKID1");  // 3 minutes left: still usable
  clock.now += minutes(4);                      // now expired
  EXPECT_THROW(p.load(), CredentialsError);
  inner->fail = false;
  EXPECT_EQ(p.load()->access_key_id, "AKID4");
}

TEST(Refreshing, ConcurrentCallersShareOneReload) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(hours(1), &clock.now);
  inner->delay_ms = 50;
  RefreshingProvider p(inner, minutes(5), clock.fn());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        if (p.load()->access_key_id == "AKID1") ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inner->loads, 1);
  EXPECT_EQ(ok, 160);
}

TEST(Refreshing, AdvisoryWindowReloadsInTheBackground) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(hours(1), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn(), minutes(15));
  EXPECT_EQ(p.load()->access_key_id, "AKID1");
  clock.now += minutes(50);  // 10 minutes left: inside the advisory window, outside the margin
  inner->delay_ms = 100;
  EXPECT_EQ(p.load()->access_key_id, "AKID1");  // answered at once from the cache
  EXPECT_EQ(p.load()->access_key_id, "AKID1");  // one reload in flight, not two
  p.wait_idle();
  EXPECT_EQ(inner->loads, 2);
  EXPECT_EQ(p.load()->access_key_id, "AKID2");
  EXPECT_EQ(p.last_provider(), "counting");
}

TEST(Refreshing, FailedBackgroundReloadIsRetriedLaterAndInTheForeground) {
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(hours(1), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn(), minutes(15));
  p.load();
  inner->fail = true;
  clock.now += minutes(50);
  EXPECT_EQ(p.load()->access_key_id, "AKID1");
  p.wait_idle();
  EXPECT_EQ(p.load()->access_key_id, "AKID1");  // no new background attempt right away
  p.wait_idle();
  EXPECT_EQ(inner->loads, 2);
  clock.now += seconds(31);
  p.load();
  p.wait_idle();
  EXPECT_EQ(inner->loads, 3);
  inner->fail = false;
  clock.now += minutes(6);  // 3.5 minutes left: the caller waits for a reload
  EXPECT_EQ(p.load()->access_key_id, "AKID4");
}

TEST(Refreshing, ShortSessionsAreNotReloadedContinuously) {
  // A 15-minute session starts inside a 15-minute advisory window: the window is capped at half
  // the lifetime.
  FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(minutes(15), &clock.now);
  RefreshingProvider p(inner, minutes(5), clock.fn(), minutes(15));
  p.load();
  clock.now += minutes(7);
  p.load();
  p.wait_idle();
  EXPECT_EQ(inner->loads, 1);
  clock.now += minutes(1);  // 7 minutes left: under half the lifetime
  p.load();
  p.wait_idle();
  EXPECT_EQ(inner->loads, 2);
}

// With real providers: a credential_process whose output expires soon is re-run, one that lasts
// an hour is not.
class RefreshingProcessTest : public CredentialsTest {
 protected:
  void script_with_lifetime(int seconds_left) {
    auto counter = path("runs");
    write_file(
        path("creds.sh"),
        "#!/bin/sh\necho run >> '" + counter.string() +
            "'\n"
            "exp=$(date -u -d \"@$(( $(date +%s) + " +
            std::to_string(seconds_left) +
            " ))\" +%Y-%m-%dT%H:%M:%SZ)\n"
            "printf '{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"s\",\"SessionToken\":"
            "\"t\",\"Expiration\":\"%s\"}' \"$exp\"\n",
        true);
    write_config("[default]\ncredential_process = " + path("creds.sh").string() + "\n");
  }
  int runs() {
    std::ifstream in(path("runs"));
    int n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
  }
};

TEST_F(RefreshingProcessTest, ShortExpirationIsRefetched) {
  script_with_lifetime(60);
  RefreshingProvider p(std::make_shared<ProcessProvider>());
  p.load();
  p.load();
  EXPECT_EQ(runs(), 2);
  EXPECT_EQ(p.last_provider(), "credential-process");
}

TEST_F(RefreshingProcessTest, LongExpirationIsCached) {
  script_with_lifetime(3600);
  RefreshingProvider p(std::make_shared<ProcessProvider>());
  auto c = p.load();
  ASSERT_TRUE(c && c->expiration);
  EXPECT_NEAR(duration_cast<seconds>(*c->expiration - system_clock::now()).count(), 3600, 10);
  p.load();
  EXPECT_EQ(runs(), 1);
}

using RefreshingContainerTest = ServerTest;

TEST_F(RefreshingContainerTest, ShortExpirationIsRefetchedLongIsCached) {
  set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_->url("/container/creds"));
  server_->config({{"expiration_seconds", 120}});
  RefreshingProvider short_lived(std::make_shared<ContainerProvider>());
  short_lived.load();
  short_lived.load();
  EXPECT_EQ(server_->requests().size(), 2u);
  server_->reset();
  RefreshingProvider long_lived(std::make_shared<ContainerProvider>());
  long_lived.load();
  long_lived.load();
  EXPECT_EQ(server_->requests().size(), 1u);
}

}  // namespace
}  // namespace s3tar::s3::test
