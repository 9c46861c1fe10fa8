// Archives rendered from plans are read by the tools people use: GNU tar, bsdtar, Python tarfile.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "s3tar/archive/plan/plan.h"
#include "s3tar/archive/tar/names.h"
#include "support.h"

namespace s3tar::plan {
namespace {

namespace fs = std::filesystem;
using testing::content;
using testing::render;

struct Command {
  int status = -1;
  std::string out;
};

Command run(const std::string& command) {
  Command r;
  // UTF-8 locale so the tools print names as they are.
  FILE* p = popen(("LC_ALL=C.UTF-8 " + command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.status = pclose(p);
  return r;
}

bool have(const std::string& tool) { return run("command -v " + tool + " >/dev/null").status == 0; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Member> interop_members() {
  std::vector<std::string> keys = {
      "empty-object",
      "with space/and + plus.txt",
      "unicode/données/日本語-😀.bin",
      "long/" + std::string(120, 'a') + "/" + std::string(30, 'b'),     // 100+ bytes
      "longer/" + std::string(200, 'c') + "/" + std::string(100, 'd'),  // 255+ bytes, too long for ustar
      "a/../../escape-attempt",
      "/leading/slash",
      "double//slash",
      "trailing/",
      "%percent-start",
      "large/object.bin",
      "larger/than/max_part.bin",
  };
  std::vector<Member> members;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::uint64_t size = 1000 + 777 * i;
    if (keys[i] == "empty-object" || keys[i] == "trailing/") size = 0;
    if (keys[i] == "large/object.bin") size = 33 * KiB + 3;
    if (keys[i] == "larger/than/max_part.bin") size = 70 * KiB + 512;
    members.push_back(Member{"bucket", keys[i], "", std::string("etag").append(std::to_string(i)), size,
                             1700000000 + 3600 * (int)i});
  }
  return members;
}

class Interop : public ::testing::TestWithParam<tar::Format> {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "s3tar-interop-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Plans the members with small limits (so there are copy parts), writes each volume's bytes.
  std::vector<std::pair<fs::path, const Volume*>> write_volumes(const Plan& plan) {
    std::vector<std::pair<fs::path, const Volume*>> out;
    for (const Volume& v : plan.volumes) {
      fs::path file = dir_ / fs::path(v.key).filename();
      std::ofstream(file, std::ios::binary) << render(v);
      out.emplace_back(file, &v);
    }
    return out;
  }

  Plan make(std::vector<Member> members, std::uint64_t size_limit = 0) {
    Options o;
    o.limits.min_part = 5 * KiB;
    o.limits.max_part = 20 * KiB;
    o.limits.max_parts = 50;
    o.limits.max_object = 1000 * KiB;
    o.format = GetParam();
    o.size_limit = size_limit;
    o.archive_key = "interop.tar";
    return make_plan(std::move(members), o);
  }

  static std::vector<std::string> expected_names(const Volume& v) {
    std::vector<std::string> names = {std::string(tar::kTocName)};
    for (const Member& m : v.members) names.push_back(tar::member_name_for_key(std::string(m.key())));
    return names;
  }

  void check_extracted(const fs::path& root, const Volume& v) {
    EXPECT_EQ(read_file(root / "toc.csv"), tar::render_toc_csv(toc_entries(v)));
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file()) ++files;
    EXPECT_EQ(files, v.members.size() + 1) << root;
    for (const Member& m : v.members) {
      const fs::path p = root / tar::member_name_for_key(std::string(m.key()));
      ASSERT_TRUE(fs::is_regular_file(p)) << p;
      EXPECT_TRUE(read_file(p) == content(m, 0, m.size)) << p;
    }
  }

  void check_all_tools(const fs::path& file, const Volume& v) {
    SCOPED_TRACE(file.string());
    const auto names = expected_names(v);
    // GNU tar.
    Command verbose = run("tar -tvf " + file.string());
    EXPECT_EQ(verbose.status, 0) << verbose.out;
    EXPECT_EQ(split(verbose.out, '\n').size(), names.size()) << verbose.out;
    Command list = run("tar --quoting-style=literal -tf " + file.string());
    EXPECT_EQ(list.status, 0) << list.out;
    EXPECT_EQ(split(list.out, '\n'), names);
    const fs::path gnu = dir_ / ("x-gnu-" + file.stem().string());
    fs::create_directories(gnu);
    Command x = run("tar -xf " + file.string() + " -C " + gnu.string());
    EXPECT_EQ(x.status, 0) << x.out;
    check_extracted(gnu, v);
    // bsdtar.
    if (have("bsdtar")) {
      Command b = run("bsdtar -tf " + file.string());
      EXPECT_EQ(b.status, 0) << b.out;
      EXPECT_EQ(split(b.out, '\n'), names);
      const fs::path bsd = dir_ / ("x-bsd-" + file.stem().string());
      fs::create_directories(bsd);
      Command bx = run("bsdtar -xf " + file.string() + " -C " + bsd.string());
      EXPECT_EQ(bx.status, 0) << bx.out;
      check_extracted(bsd, v);
    } else {
      ADD_FAILURE() << "bsdtar is not installed (package libarchive-tools)";
    }
    // Python's tarfile.
    const fs::path py = dir_ / ("x-py-" + file.stem().string());
    fs::create_directories(py);
    const std::string script =
        "import sys, tarfile\n"
        "t = tarfile.open(sys.argv[1])\n"
        "sys.stdout.buffer.write(b''.join(m.name.encode('utf-8', 'surrogateescape') + b'\\0' for m in "
        "t.getmembers()))\n"
        "kw = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}\n"
        "t.extractall(sys.argv[2], **kw)\n";
    std::ofstream(dir_ / "list.py") << script;
    Command p = run("python3 " + (dir_ / "list.py").string() + " " + file.string() + " " + py.string());
    EXPECT_EQ(p.status, 0) << p.out;
    EXPECT_EQ(split(p.out, '\0'), names);
    check_extracted(py, v);
  }

  fs::path dir_;
};

TEST_P(Interop, ToolsListAndExtractEveryMember) {
  ASSERT_TRUE(have("tar"));
  ASSERT_TRUE(have("python3"));
  Plan plan = make(interop_members());
  ASSERT_EQ(plan.volumes.size(), 1u);
  int copies = 0;
  for (const Part& p : plan.volumes[0].parts) copies += p.kind == PartKind::Copy;
  EXPECT_GE(copies, 4);
  for (const auto& [file, v] : write_volumes(plan)) check_all_tools(file, *v);
}

TEST_P(Interop, SeveralVolumes) {
  Plan plan = make(interop_members(), 60 * KiB);
  ASSERT_GT(plan.volumes.size(), 1u);
  for (const auto& [file, v] : write_volumes(plan)) check_all_tools(file, *v);
}

TEST_P(Interop, TocEndingOnABlockBoundary) {
  // GNU tar must see every member after a toc.csv whose text fills its last block exactly.
  for (std::size_t len = 1; len < 600; ++len) {
    std::vector<Member> members;
    for (int i = 0; i < 3; ++i)
      members.push_back(Member{"b", std::string("k").append(std::to_string(i)), "", std::string(len, 'e'),
                               700, 1700000000});
    Plan plan = make(members);
    if (plan.volumes.at(0).toc_data_size % 512 != 0) continue;
    for (const auto& [file, v] : write_volumes(plan)) check_all_tools(file, *v);
    return;
  }
  FAIL() << "no etag length gives a block-aligned toc.csv";
}

INSTANTIATE_TEST_SUITE_P(Formats, Interop, ::testing::Values(tar::Format::Pax, tar::Format::Gnu),
                         [](const auto& info) { return info.param == tar::Format::Pax ? "Pax" : "Gnu"; });

}  // namespace
}  // namespace s3tar::plan
