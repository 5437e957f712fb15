// Credentials recognized by the shape of an environment value, and the
// ordinary values that must pass untouched.
//
// Token-shaped strings are assembled at run time (prefix + body) so that the
// source holds no literal that a secret scanner would flag.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "policy/defaults.h"
#include "policy/env.h"
#include "policy/secret_values.h"

namespace cordon::policy {
namespace {

// `n` characters cycling through `alphabet` (deterministic, mixed).
std::string Body(size_t n, std::string_view alphabet = "aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV") {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += alphabet[(i * 7 + 3) % alphabet.size()];
  return out;
}

std::string Tok(std::string_view prefix, const std::string& body) {
  return std::string(prefix) + body;
}

std::string Shape(std::string_view value) {
  auto s = SecretValueShape(value);
  return s ? std::string(*s) : std::string("none");
}

// A JWT with header {"alg":"HS256","typ":"JWT"}.
std::string Jwt() {
  return Tok("eyJ", "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9") + "." +
         Tok("eyJ", "zdWIiOiIxMjM0NTY3ODkwIn0") + "." + Body(43, "abcXYZ019-_");
}

TEST(SecretValueShape, UrlsWithAPassword) {
  EXPECT_EQ(Shape("postgres://u:pw@h/db"), "URL with a password");
  EXPECT_EQ(Shape("redis://:pw@h:6379"), "URL with a password");
  EXPECT_EQ(Shape("https://user:p%40ss@example.com:8443/path?q=1#f"), "URL with a password");
  EXPECT_EQ(Shape("mysql+pymysql://app:s3cr@t@db.internal/app"), "URL with a password");
  EXPECT_EQ(Shape("amqp://guest:guest@localhost"), "URL with a password");
  EXPECT_EQ(Shape("first=http://h/x second=ftp://a:b@c"), "URL with a password");
  EXPECT_EQ(Shape("http_proxy is http://u:p@proxy:3128"), "URL with a password");
  // A user and no password, or an empty one, carries no secret.
  EXPECT_EQ(Shape("ssh://git@github.com/org/repo.git"), "none");
  EXPECT_EQ(Shape("postgres://u@h/db"), "none");
  EXPECT_EQ(Shape("postgres://u:@h/db"), "none");
  EXPECT_EQ(Shape("postgres://h/db"), "none");
  EXPECT_EQ(Shape("https://example.com/a:b@c"), "none");  // '@' in the path
  EXPECT_EQ(Shape("https://example.com/?to=a:b@c"), "none");
  EXPECT_EQ(Shape("https://h:8080/x"), "none");
  // '@' alone is no URL.
  EXPECT_EQ(Shape("user@example.com"), "none");
  EXPECT_EQ(Shape("git@github.com:org/repo.git"), "none");
  EXPECT_EQ(Shape("a:b@c"), "none");
  EXPECT_EQ(Shape("://u:p@h"), "none");  // no scheme
}

TEST(SecretValueShape, TokenShapes) {
  for (const char* p : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
    EXPECT_EQ(Shape(Tok(p, Body(36))), "GitHub token") << p;
  }
  EXPECT_EQ(Shape(Tok("github_pat_", Body(22) + "_" + Body(59))), "GitHub token");
  EXPECT_EQ(Shape(Tok("sk-", Body(48))), "OpenAI or Anthropic API key");
  EXPECT_EQ(Shape(Tok("sk-proj-", Body(60) + "-" + Body(40) + "_" + Body(20))),
            "OpenAI or Anthropic API key");
  EXPECT_EQ(Shape(Tok("sk-ant-", "api03-" + Body(93) + "AA")), "OpenAI or Anthropic API key");
  for (const char* p : {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-"}) {
    EXPECT_EQ(Shape(Tok(p, "1234567890-1234567890-" + Body(24))), "Slack token") << p;
  }
  EXPECT_EQ(Shape(Tok("AKIA", "IOSFODNN7EXAMPLE")), "AWS access key id");
  EXPECT_EQ(Shape(Tok("ASIA", "Y34FZKBOKMUTVV7A")), "AWS access key id");
  EXPECT_EQ(Shape(Jwt()), "JWT");
  EXPECT_EQ(Shape(Tok("glpat-", Body(20))), "GitLab token");
  EXPECT_EQ(Shape(Tok("npm_", Body(36))), "npm token");
  EXPECT_EQ(Shape(Tok("pypi-", "AgEIcHlwaS5vcmc" + Body(150, "abcXYZ019-_"))), "PyPI token");
  EXPECT_EQ(Shape(Tok("sk_live_", Body(24))), "Stripe key");
  EXPECT_EQ(Shape(Tok("rk_live_", Body(99))), "Stripe key");
  EXPECT_EQ(Shape(Tok("AIza", "SyD" + Body(32, "abcXYZ019-_"))), "Google API key");
  EXPECT_EQ(Shape("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"),
            "private key");
  EXPECT_EQ(Shape("-----BEGIN PRIVATE KEY-----"), "private key");
  EXPECT_EQ(Shape("-----BEGIN RSA PRIVATE KEY-----"), "private key");
  EXPECT_EQ(Shape("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "private key");
  EXPECT_EQ(Shape("-----BEGIN PGP PRIVATE KEY BLOCK-----"), "private key");
}

TEST(SecretValueShape, TokensInsideLargerValues) {
  std::string gh = Tok("ghp_", Body(36));
  EXPECT_EQ(Shape("Authorization: Bearer " + gh), "GitHub token");
  EXPECT_EQ(Shape("https://" + gh + "@github.com/org/repo"), "GitHub token");
  EXPECT_EQ(Shape("https://x-access-token:" + gh + "@github.com/o/r"), "URL with a password");
  EXPECT_EQ(Shape("[\"" + gh + "\"]"), "GitHub token");
  EXPECT_EQ(Shape("token=" + Tok("AKIA", "IOSFODNN7EXAMPLE") + ";"), "AWS access key id");
  EXPECT_EQ(Shape("Authorization: Bearer " + Jwt()), "JWT");
  EXPECT_EQ(Shape("Authorization: Bearer " + Body(40)), "HTTP bearer credentials");
  EXPECT_EQ(Shape("authorization=bearer " + Body(32)), "HTTP bearer credentials");
  // base64("aladdin:opensesame")
  EXPECT_EQ(Shape("Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l"), "HTTP basic credentials");
  EXPECT_EQ(Shape("x\n-----BEGIN EC PRIVATE KEY-----\n"), "private key");
}

TEST(SecretValueShape, NearMissesPass) {
  // Wrong length, wrong charset, inside a word, or no mixed randomness.
  EXPECT_EQ(Shape(Tok("ghp_", Body(20))), "none");
  EXPECT_EQ(Shape(Tok("ghp_", Body(36)) + "!"), "GitHub token");
  EXPECT_EQ(Shape(Tok("xghp_", Body(36))), "none");
  EXPECT_EQ(Shape(Tok("ghx_", Body(36))), "none");
  EXPECT_EQ(Shape("sk-learn-extension-for-everything"), "none");
  EXPECT_EQ(Shape("desk-" + Body(40)), "none");
  EXPECT_EQ(Shape(Tok("sk-", Body(10))), "none");
  EXPECT_EQ(Shape(Tok("AKIA", "IOSFODNN7EXAMPL")), "none");    // 15
  EXPECT_EQ(Shape(Tok("AKIA", "IOSFODNN7EXAMPLEX")), "none");  // 17
  EXPECT_EQ(Shape(Tok("AKIA", "IOSFODNN7EXAMPLEx")), "none");  // run cut by lower case
  EXPECT_EQ(Shape("ASIAPACIFICREGIONS"), "none");
  EXPECT_EQ(Shape(Tok("npm_", Body(35))), "none");
  EXPECT_EQ(Shape(Tok("AIza", Body(34))), "none");
  EXPECT_EQ(Shape(Tok("xoxb-", "abcdefghijklmnop")), "none");  // no digit
  EXPECT_EQ(Shape(Tok("glpat-", Body(10))), "none");
  EXPECT_EQ(Shape(Tok("pypi-", Body(20))), "none");
  EXPECT_EQ(Shape(Tok("sk_test_", Body(24))), "none");
  EXPECT_EQ(Shape("Bearer of bad news"), "none");
  EXPECT_EQ(Shape("Basic settings"), "none");
  EXPECT_EQ(Shape("-----BEGIN CERTIFICATE-----"), "none");
  EXPECT_EQ(Shape("-----BEGIN PUBLIC KEY-----"), "none");
  // eyJ... that is no JWT: two segments, no signature, or a header without alg.
  EXPECT_EQ(Shape(Tok("eyJ", "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9") + ".eyJzdWIiOiIxIn0"), "none");
  EXPECT_EQ(Shape(Tok("eyJ", "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9") + ".eyJzdWIiOiIxIn0."), "none");
  EXPECT_EQ(Shape(Tok("eyJ", "0eXAiOiJKV1QifQ") + ".eyJzdWIiOiIxIn0." + Body(43)), "none");
}

TEST(SecretValueShape, OrdinaryValuesPass) {
  // LS_COLORS is one long value, split into adjacent literals on purpose.
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  for (const char* v : {
           "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "rs=0:di=01;34:ln=01;36:mh=00:pi=40;33:so=01;35:do=01;35:bd=40;33;01:cd=40;33;01:"
           "or=40;31;01:mi=00:su=37;41:sg=30;43:ca=00:tw=30;42:ow=34;42:st=37;44:ex=01;32:"
           "*.tar=01;31:*.tgz=01;31:*.jpg=01;35:*.flac=00;36",
           "\\[\\e]0;\\u@\\h: \\w\\a\\]${debian_chroot:+($debian_chroot)}\\u@\\h:\\w\\$ ",
           "vim",
           "/usr/lib/jvm/java-17-openjdk-amd64",
           "4b825dc642cb6eb9a060e54bf8d69288fbee4904",          // a git sha
           "123e4567-e89b-12d3-a456-426614174000",              // a uuid
           "SGVsbG8sIHdvcmxkISBUaGlzIGlzIGEgYmFzZTY0IGJsb2I=",  // base64, no JWT
           "en_US.UTF-8",
           "xterm-256color",
           "https://proxy.example.com:3128",
           "localhost,127.0.0.1,.internal",
           "user@example.com",
           "--max-old-space-size=4096",
           "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
           "",
       }) {
    // NOLINTEND(bugprone-suspicious-missing-comma)
    EXPECT_EQ(Shape(v), "none") << v;
  }
}

// Random base64 and hex blobs (fixed seed) are almost never token-shaped:
// none of these 2000 is.
TEST(SecretValueShape, RandomBlobsPass) {
  std::mt19937 rng(12345);
  const std::string b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string hex = "0123456789abcdef";
  for (int i = 0; i < 1000; ++i) {
    std::string a, b;
    for (int k = 0; k < 200; ++k) a += b64[rng() % b64.size()];
    for (int k = 0; k < 64; ++k) b += hex[rng() % hex.size()];
    EXPECT_EQ(Shape(a), "none") << a;
    EXPECT_EQ(Shape(b), "none") << b;
  }
}

TEST(SecretValueShape, LongHostileValuesStayLinear) {
  std::string many_schemes;
  for (int i = 0; i < 20000; ++i) many_schemes += "a://";
  EXPECT_EQ(Shape(many_schemes), "none");
  EXPECT_EQ(Shape(std::string(100000, 'e') + "yJ"), "none");
  EXPECT_EQ(Shape("x://" + std::string(100000, '@')), "none");
  EXPECT_EQ(Shape("x://" + std::string(100000, ':') + "@h"), "URL with a password");
}

TEST(ScrubReason, NameThenValueAndPassWins) {
  Policy p;
  p.scrub_patterns = DefaultScrubPatterns();
  EXPECT_EQ(ScrubReason(p, "GITHUB_TOKEN", "x"), "name matches *_TOKEN");
  EXPECT_EQ(ScrubReason(p, "DB_URL", "postgres://u:pw@h/db"),
            "value looks like a URL with a password");
  EXPECT_EQ(ScrubReason(p, "CI_AUTH", Tok("ghp_", Body(36))), "value looks like a GitHub token");
  EXPECT_EQ(ScrubReason(p, "DB_URL", "postgres://h/db"), std::nullopt);
  p.env_pass.push_back({"DB_URL", {}});
  EXPECT_EQ(ScrubReason(p, "DB_URL", "postgres://u:pw@h/db"), std::nullopt);
}

TEST(ScrubbedVariables, NamesAndReasonsNeverValues) {
  Policy p;
  p.scrub_patterns = DefaultScrubPatterns();
  std::string gh = "CI_AUTH=" + Tok("ghp_", Body(36));
  std::vector<std::string> host = {"PATH=/usr/bin",
                                   "DB_URL=postgres://u:pw@h/db",
                                   "REDIS=redis://:pw@h:6379",
                                   gh,
                                   "API_TOKEN=x",
                                   "PLAIN=postgres://h/db",
                                   "XDG_RUNTIME_DIR=/run/user/1",
                                   "TMPDIR=/var/tmp"};
  std::vector<char*> envp;
  envp.reserve(host.size() + 1);
  for (auto& e : host) envp.push_back(e.data());
  envp.push_back(nullptr);
  auto scrubbed = ScrubbedVariables(p, envp.data());
  ASSERT_EQ(scrubbed.size(), 4u);
  EXPECT_EQ(scrubbed[0].name, "DB_URL");
  EXPECT_EQ(scrubbed[1].name, "REDIS");
  EXPECT_EQ(scrubbed[2].name, "CI_AUTH");
  EXPECT_EQ(scrubbed[3].name, "API_TOKEN");
  EXPECT_EQ(scrubbed[3].reason, "name matches *_TOKEN");
  for (const auto& s : scrubbed) {
    EXPECT_EQ(s.reason.find("pw"), std::string::npos) << s.reason;
  }
  std::vector<std::string> env = BuildEnvironment(p, envp.data());
  std::vector<std::string> want = {"PATH=/usr/bin", "PLAIN=postgres://h/db", "TMPDIR=/tmp"};
  EXPECT_EQ(env, want);
}

}  // namespace
}  // namespace cordon::policy
