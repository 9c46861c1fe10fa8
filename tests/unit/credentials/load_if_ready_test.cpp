// RefreshingProvider::load_if_ready: what the HTTP event loop may ask without ever waiting.
#include <atomic>
#include <chrono>
#include <thread>

#include "s3tar/s3/credentials/refreshing_provider.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using namespace std::chrono;

// Credentials expiring an hour after the (fake) now; each load takes `delay`.
class SlowSource : public CredentialsProvider {
 public:
  SlowSource(const system_clock::time_point* now, milliseconds delay) : now_(now), delay_(delay) {}
  std::optional<Credentials> load() override {
    const int n = ++loads;
    std::this_thread::sleep_for(delay_);
    Credentials c;
    c.access_key_id = "AKID" + std::to_string(n);
    c.secret_access_key = "s";
    c.expiration = *now_ + hours(1);
    return c;
  }
  std::string name() const override { return "slow"; }
  std::atomic<int> loads{0};

 private:
  const system_clock::time_point* now_;
  milliseconds delay_;
};

TEST(LoadIfReady, NothingCachedMeansAskLoad) {
  const auto now = system_clock::now();
  auto inner = std::make_shared<SlowSource>(&now, milliseconds(0));
  RefreshingProvider p(inner, minutes(5), [&] { return now; });
  EXPECT_FALSE(p.load_if_ready());
  EXPECT_EQ(inner->loads, 0) << "load_if_ready never loads in the foreground";
  EXPECT_EQ(p.load()->access_key_id, "AKID1");
  EXPECT_EQ(p.load_if_ready()->access_key_id, "AKID1");
}

TEST(LoadIfReady, WithinTheMarginItDoesNotWaitForTheReload) {
  auto now = system_clock::now();
  auto inner = std::make_shared<SlowSource>(&now, milliseconds(2000));
  RefreshingProvider p(inner, minutes(5), [&] { return now; });
  ASSERT_TRUE(p.load());  // takes the delay once
  now += minutes(56);     // 4 minutes left: load() would reload and wait
  const auto start = steady_clock::now();
  EXPECT_FALSE(p.load_if_ready());
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
  p.invalidate();
  EXPECT_FALSE(p.load_if_ready());
}

TEST(LoadIfReady, InTheAdvisoryWindowItAnswersAndReloadsInTheBackground) {
  auto now = system_clock::now();
  auto inner = std::make_shared<SlowSource>(&now, milliseconds(300));
  RefreshingProvider p(
      inner, minutes(5), [&] { return now; }, minutes(15));
  ASSERT_EQ(p.load()->access_key_id, "AKID1");
  now += minutes(50);  // 10 minutes left: advisory, not mandatory
  const auto start = steady_clock::now();
  EXPECT_EQ(p.load_if_ready()->access_key_id, "AKID1");
  EXPECT_LT(steady_clock::now() - start, milliseconds(250));
  p.wait_idle();
  EXPECT_EQ(inner->loads, 2);
  EXPECT_EQ(p.load_if_ready()->access_key_id, "AKID2");
}

TEST(LoadIfReady, TheBaseProviderNeverClaimsToBeReady) {
  const auto now = system_clock::now();
  SlowSource source(&now, milliseconds(0));
  EXPECT_FALSE(source.load_if_ready());
  EXPECT_EQ(source.loads, 0);
}

}  // namespace
}  // namespace s3tar::s3::test
