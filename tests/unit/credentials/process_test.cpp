#include "s3tar/s3/credentials/process_provider.h"
#include "tests/unit/credentials/test_support.h"

namespace s3tar::s3::test {
namespace {

using namespace std::chrono;

class ProcessTest : public CredentialsTest {
 protected:
  // Writes an executable script and a config whose default profile runs it with `args`.
  std::string script(const std::string& body, const std::string& name = "creds.sh") {
    auto p = path(name);
    write_file(p, "#!/bin/sh\n" + body, true);
    return p.string();
  }
  void use(const std::string& command_line) {
    write_config("[default]\ncredential_process = " + command_line + "\n");
  }
};

TEST(SplitCommandLine, LikeShlex) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split_command_line("  /bin/tool  --a b\t c  "), (V{"/bin/tool", "--a", "b", "c"}));
  EXPECT_EQ(split_command_line("'/path with/space' \"x y\" z\\ w"), (V{"/path with/space", "x y", "z w"}));
  EXPECT_EQ(split_command_line("a'b'\"c\" \"q\\\"q\" '$HOME' ''"), (V{"abc", "q\"q", "$HOME", ""}));
  EXPECT_EQ(split_command_line("tool; rm -rf x"), (V{"tool;", "rm", "-rf", "x"}));
  EXPECT_TRUE(split_command_line("   ").empty());
  EXPECT_THROW(split_command_line("tool 'unterminated"), CredentialsError);
}

TEST_F(ProcessTest, Success) {
  auto s = script(
      "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"proc-secret\",'\n"
      "echo ' \"SessionToken\": \"proc-token\", \"Expiration\": \"2030-01-02T03:04:05Z\"}'\n");
  use(s);
  auto c = ProcessProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDPROC");
  EXPECT_EQ(c->secret_access_key, "proc-secret");
  EXPECT_EQ(c->session_token, "proc-token");
  ASSERT_TRUE(c->expiration);
  EXPECT_EQ(duration_cast<seconds>(c->expiration->time_since_epoch()).count(), 1893553445);
  EXPECT_EQ(c->provider, "credential-process");
}

TEST_F(ProcessTest, ArgumentsAreSplitNotShellInterpreted) {
  // The script echoes its arguments back as the access key: quoting groups, $VAR is literal.
  auto s =
      script("printf '{\"Version\":1,\"AccessKeyId\":\"%s|%s\",\"SecretAccessKey\":\"s\"}' \"$1\" \"$2\"\n",
             "my script.sh");
  use("'" + s + "' \"two words\" $HOME");
  auto c = ProcessProvider().load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "two words|$HOME");
  EXPECT_FALSE(c->expiration);
  EXPECT_TRUE(c->session_token.empty());
}

TEST_F(ProcessTest, NotConfigured) {
  write_config("[default]\nregion = us-east-1\n");
  EXPECT_FALSE(ProcessProvider().load());
}

TEST_F(ProcessTest, NamedProfile) {
  auto s = script("echo '{\"Version\":1,\"AccessKeyId\":\"AKIDNAMED\",\"SecretAccessKey\":\"s\"}'\n");
  write_config("[profile tools]\ncredential_process = " + s + "\n");
  EXPECT_FALSE(ProcessProvider().load());
  EXPECT_EQ(ProcessProvider("tools").load()->access_key_id, "AKIDNAMED");
}

TEST_F(ProcessTest, NonZeroExitReportsStatusAndStderrButNotStdout) {
  auto s = script(
      "echo '{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"stdout-secret-1\"}'\n"
      "echo 'token expired, run login' >&2\nexit 3\n");
  use(s + " --secret-arg cmdline-secret-2");
  try {
    ProcessProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("status 3"), std::string::npos) << m;
    EXPECT_NE(m.find("token expired, run login"), std::string::npos) << m;
    EXPECT_NE(m.find("'default'"), std::string::npos) << m;
    EXPECT_NO_SECRET(m, "stdout-secret-1", "cmdline-secret-2");
  }
}

TEST_F(ProcessTest, BadJsonDoesNotEchoOutput) {
  auto s =
      script("echo '{\"Version\":1,\"AccessKeyId\":\"AKID\",\"SecretAccessKey\":\"json-secret-3\" oops'\n");
  use(s);
  try {
    ProcessProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
    EXPECT_NO_SECRET(e.what(), "json-secret-3");
  }
}

TEST_F(ProcessTest, WrongVersionOrMissingFields) {
  const std::string context = "ctx";
  EXPECT_THROW(parse_process_output(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"})", context),
               CredentialsError);
  EXPECT_THROW(parse_process_output(R"({"AccessKeyId":"A","SecretAccessKey":"S"})", context),
               CredentialsError);
  EXPECT_THROW(parse_process_output(R"({"Version":1,"AccessKeyId":"A"})", context), CredentialsError);
  EXPECT_THROW(parse_process_output(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":""})", context),
               CredentialsError);
  EXPECT_THROW(parse_process_output(R"([1])", context), CredentialsError);
  try {
    parse_process_output(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"v2-secret"})", context);
  } catch (const CredentialsError& e) {
    EXPECT_NO_SECRET(e.what(), "v2-secret");
  }
}

TEST_F(ProcessTest, ExpirationParsing) {
  auto c = parse_process_output(
      R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"2030-01-02T05:04:05.5+02:00"})",
      "ctx");
  ASSERT_TRUE(c.expiration);
  EXPECT_EQ(duration_cast<milliseconds>(c.expiration->time_since_epoch()).count(), 1893553445500);
  auto none = parse_process_output(
      R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":null})", "ctx");
  EXPECT_FALSE(none.expiration);
  EXPECT_THROW(parse_process_output(
                   R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"})", "ctx"),
               CredentialsError);
}

TEST_F(ProcessTest, MissingProgram) {
  use(path("does-not-exist").string());
  try {
    ProcessProvider().load();
    FAIL() << "expected CredentialsError";
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot run"), std::string::npos) << e.what();
  }
}

TEST_F(ProcessTest, HangingProcessTimesOut) {
  auto s = script("exec sleep 30\n");
  use(s);
  auto start = steady_clock::now();
  EXPECT_THROW(ProcessProvider(std::nullopt, milliseconds(300)).load(), CredentialsError);
  EXPECT_LT(steady_clock::now() - start, seconds(5));
}

}  // namespace
}  // namespace s3tar::s3::test
