// Reference archives pinned by digest: a fixed member list is planned and rendered, and the
// SHA-256 of every volume's bytes and of its plan (parts and pieces) must stay what it was when
// this test was written. A change to the planner, the headers or the TOC that alters a single
// byte of an archive fails here, so restructuring the code keeps archives byte-identical; a
// deliberate format change updates the digests in the same commit and says why.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <string>
#include <vector>

#include "s3tar/archive/plan/plan.h"
#include "support.h"

namespace s3tar::plan {
namespace {

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

// Every field of the plan that decides which bytes go where and how they are sent.
std::string describe(const Volume& v) {
  std::string s = v.key + "|" + std::to_string(v.total_size) + "|" + std::to_string(v.toc_size) + "|" +
                  std::to_string(v.single_put) + "\n";
  for (const Part& p : v.parts) {
    s += std::to_string(p.number) + " " + std::to_string(p.archive_offset) + " " + std::to_string(p.size) +
         " " +
         (p.kind == PartKind::Copy ? "copy " + std::to_string(p.copy.member) + ":" +
                                         std::to_string(p.copy.offset) + "+" + std::to_string(p.copy.length)
                                   : "upload");
    for (const Piece& q : expand_pieces(v, p))  // as planned before runs of members were held as one
      s += " " + std::to_string(static_cast<int>(q.kind)) + ":" + std::to_string(q.member) + ":" +
           std::to_string(q.offset) + "+" + std::to_string(q.length);
    s += "\n";
  }
  for (std::size_t i = 0; i < v.members.size(); ++i)
    s += std::string(v.members[i].key()) + "@" + std::to_string(v.data_offsets[i]) + "\n";
  return s;
}

std::vector<Member> golden_members() {
  std::vector<Member> members;
  auto add = [&](std::string key, std::uint64_t size, std::string version = {}) {
    members.emplace_back(members.size() % 3 == 0 ? "src-b" : "src-a", key, version,
                         "etag-" + std::to_string(members.size()), size,
                         1763646307 + static_cast<std::int64_t>(members.size()) * 37);
  };
  for (int i = 0; i < 120; ++i)
    add("logs/2025/11/20/app-" + std::to_string(i) + ".log", static_cast<std::uint64_t>(i * 977 % 9000 + 1));
  add(std::string(150, 'n') + "/long-name.txt", 3000);
  add("unicode/héllo wörld ✓.txt", 1234, "v1");
  add("odd//double/slash", 10);
  add("../escape/attempt", 11);
  add("/leading/slash", 12);
  add("spaces and + plus %25 percent=equals", 13);
  add("big/one.bin", 700 * 1024);
  add("big/two.bin", 300 * 1024 + 1, "v2");
  add("big/three.bin", 1300 * 1024);
  add("exact/block.bin", 512 * 40);
  return members;
}

Options golden_options(tar::Format format) {
  Options o;
  o.limits.min_part = 64 * KiB;
  o.limits.max_part = 256 * KiB;
  o.limits.max_parts = 10000;
  o.limits.max_object = 64 * MiB;
  o.upload_part_target = 100 * KiB;
  o.size_limit = 1 * MiB;
  o.format = format;
  o.archive_key = "golden/archive.tar";
  return o;
}

// Prints the digests when they change, so a deliberate format change can update the table.
void expect_digests(tar::Format format, const std::vector<std::pair<std::string, std::string>>& expected) {
  testing::ScopedUtf8Locale utf8;
  const Plan plan = make_plan(golden_members(), golden_options(format));
  std::string table;
  for (const Volume& v : plan.volumes)
    table += "{\"" + sha256_hex(render_volume_reference(v, testing::content)) + "\",\n \"" +
             sha256_hex(describe(v)) + "\"},\n";
  ASSERT_EQ(plan.volumes.size(), expected.size()) << "digests now:\n" << table;
  for (std::size_t i = 0; i < plan.volumes.size(); ++i) {
    const Volume& v = plan.volumes[i];
    const std::string bytes = render_volume_reference(v, testing::content);
    ASSERT_EQ(bytes.size(), v.total_size);
    EXPECT_EQ(sha256_hex(bytes), expected[i].first) << "archive bytes of " << v.key;
    EXPECT_EQ(sha256_hex(describe(v)), expected[i].second) << "plan of " << v.key;
  }
}

TEST(GoldenArchives, Pax) {
  expect_digests(tar::Format::Pax, {{"86cd91bb4f75015b6045e4c6e409372d337046ebd7c4c2e89b5fc7b2b2fc4546",
                                     "ac19000124a61a7d6968d9846ef5dd56611f42c7de2aa4442129ab13148914a6"},
                                    {"f1b788a2709ff181be331ab6744ac87d3bf7d137bd03458089aa61904fb340bf",
                                     "8acaca2c6277ab1a68273836a0a7cf3856b84a76b6083c07d91a92e956aabcb0"},
                                    {"8987bf8342bc685809133f06c1a81314df21eb01d6148a6ca4f9a2d19860a20a",
                                     "80d8873d2df47fc4fdaf6c38bc2c5e2d3eeb31ade7abbfd3c14473e47c1467dd"},
                                    {"904beaf097048c2efcfae79d6656584c14fb26821156aa192acbf532926c219e",
                                     "fe9129a16f268a9ddcdb5839ecfa13a55593fe790a24acebfdfd8570d4195df1"},
                                    {"c1faf1de8f9076ccea04e136a83db7015361980a80e18dac076de58b1dea8b2a",
                                     "99ee29f33973bcfca429c2a9306ad4f2b47533ad4f54e49b67c510b55b466efa"}});
}

TEST(GoldenArchives, Gnu) {
  expect_digests(tar::Format::Gnu, {{"b5deb3ad971bcae460053ecdfb3e1a4400cc732fe823c4969411cf6f3b36915c",
                                     "ac19000124a61a7d6968d9846ef5dd56611f42c7de2aa4442129ab13148914a6"},
                                    {"df2e1637f0b34571a21062e2e2e2487de2e84ceffa45856240c9db326a62a318",
                                     "8acaca2c6277ab1a68273836a0a7cf3856b84a76b6083c07d91a92e956aabcb0"},
                                    {"91969fb45dbe252e68139c48b41e8dbbe0fe7d52882715d402ce3ede19c4e515",
                                     "80d8873d2df47fc4fdaf6c38bc2c5e2d3eeb31ade7abbfd3c14473e47c1467dd"},
                                    {"a40d0de673d7646e8e61c3492c14c3bc6468a518ab503653f4ba3bb2ee963e9e",
                                     "8905148e1bbe7fac1bdcb2ca4c51d68844fd6a62c090358e2b30bc6b8f24fca2"},
                                    {"a9d78fb5b2d833a090d8d608c6edec2dc5cc84c8b0b50bb192deeb4e05b13bfb",
                                     "e99a9eda267a007f15aed8f1abd1c6475dc78d46fd82337c3362ba3a2eb9bcfb"}});
}

}  // namespace
}  // namespace s3tar::plan
