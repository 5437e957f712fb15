// The online identity (--net proxy): real clients inside the sandbox (curl,
// python's urllib, git, raw sockets) against loopback servers the test runs
// on the host. Every "reaches" test checks that the server saw the request;
// every "refused" test checks that it saw no connection at all.
//
// Test hosts are named without touching /etc/hosts: --resolve NAME:ADDR is
// the proxy's resolver override. The servers are on the host's loopback,
// which the proxy refuses unless a rule names the address, so the tests
// that expect success also pass --allow-local 127.0.0.1:PORT.
#include <unistd.h>

#include <fstream>

#include "harness.h"
#include "http_server.h"

namespace cordon::it {
namespace {

using ProxyTest = SandboxTest;

const std::string kCurl = "/usr/bin/curl";
// The proxy's address as the sandbox sees it: 127.0.0.1:3128 in the full
// tier, another port on the host's loopback in the namespace-less tier.
const std::string kProxyFromEnv = "\"${HTTP_PROXY#http://}\"";
const std::string kPyProxy =
    "import os, socket\n"
    "proxy = os.environ['HTTP_PROXY'].rsplit(':', 1)\n"
    "PROXY = ('127.0.0.1', int(proxy[1]))\n";
const std::string kPython = "/usr/bin/python3";

// --net proxy, allowed.test and denied.test both resolving to 127.0.0.1,
// the server's address named, and only allowed.test allowed.
std::vector<std::string> ProxyOpts(int port, std::vector<std::string> extra = {}) {
  std::vector<std::string> opts = {"--net",          "proxy",
                                   "--resolve",      "allowed.test:127.0.0.1",
                                   "--resolve",      "denied.test:127.0.0.1",
                                   "--allow-local",  "127.0.0.1:" + std::to_string(port),
                                   "--allow-domain", "allowed.test"};
  opts.insert(opts.end(), extra.begin(), extra.end());
  return opts;
}

std::string Url(const std::string& host, int port, const std::string& path = "/") {
  return "http://" + host + ":" + std::to_string(port) + path;
}

TEST_F(ProxyTest, CurlReachesAnAllowedHost) {
  HttpServer server;
  RunResult r =
      Run(ProxyOpts(server.port()), {kCurl, "-sS", Url("allowed.test", server.port(), "/hello")});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, HttpServer::Greeting("/hello"));
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0], "GET /hello HTTP/1.1");
}

TEST_F(ProxyTest, DeniedHostGets403NamingThePolicyAndOpensNoConnection) {
  HttpServer server;
  RunResult r = Run(ProxyOpts(server.port()),
                    {kCurl, "-sS", "-w", "\n%{http_code}", Url("denied.test", server.port())});
  EXPECT_NE(r.out.find("cordon: blocked denied.test:"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("--allow-domain denied.test"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.out.substr(r.out.size() - 3), "403") << r.Describe();
  EXPECT_EQ(server.connections(), 0);
}

TEST_F(ProxyTest, ConnectTunnelReachesAnAllowedHostOnly) {
  TcpServer allowed("127.0.0.1");
  TcpServer denied("127.0.0.1");
  // curl -p tunnels through CONNECT; the raw server never answers, so the
  // accepted connection is what counts.
  auto opts = ProxyOpts(allowed.port());
  RunResult ok =
      Run(opts, {kCurl, "-sS", "-p", "--max-time", "2", Url("allowed.test", allowed.port())});
  EXPECT_EQ(allowed.TakeAccepted(), 1) << ok.Describe();
  RunResult no =
      Run(opts, {kCurl, "-sS", "-p", "--max-time", "5", Url("denied.test", denied.port())});
  EXPECT_NE(no.exit_code, 0);
  EXPECT_NE(no.err.find("403"), std::string::npos) << no.Describe();
  EXPECT_EQ(denied.TakeAccepted(), 0);
}

TEST_F(ProxyTest, HttpsThroughTheTunnel) {
  TempDir certs("cordon-cert-");
  RunResult gen = RunProcess(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
       certs / "key.pem", "-out", certs / "cert.pem", "-days", "1", "-subj", "/CN=allowed.test"},
      env_, certs.path());
  ASSERT_EQ(gen.exit_code, 0) << gen.Describe();
  int port = FreePort();
  Process tls({"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
               "-cert", certs / "cert.pem", "-key", certs / "key.pem", "-www"},
              env_, certs.path());
  ASSERT_TRUE(WaitFor(
      [&] {
        return RunProcess({kCurl, "-sk", "--max-time", "1", "-o", "/dev/null", "--connect-to",
                           "::127.0.0.1:" + std::to_string(port) + "x", "https://x/"},
                          env_, certs.path())
                   .exit_code != 7;
      },
      5));
  RunResult denied =
      Run(ProxyOpts(port), {kCurl, "-sSk", "https://denied.test:" + std::to_string(port) + "/"});
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.err.find("403"), std::string::npos) << denied.Describe();
  RunResult r =
      Run(ProxyOpts(port), {kCurl, "-sSk", "https://allowed.test:" + std::to_string(port) + "/"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("s_server"), std::string::npos) << r.Describe();
}

TEST_F(ProxyTest, AnAllowedNameResolvingToUnnamedLoopbackIsRefused) {
  HttpServer server;
  // rebind.test is allowed, but resolves to the host's loopback, and no
  // rule names that address: DNS rebinding.
  RunResult r =
      Run({"--net", "proxy", "--allow-domain", "rebind.test", "--resolve", "rebind.test:127.0.0.1"},
          {kCurl, "-sS", "-w", "\n%{http_code}", Url("rebind.test", server.port())});
  EXPECT_NE(r.out.find("loopback"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.out.substr(r.out.size() - 3), "403") << r.Describe();
  // The advice is the address's rule, never the --allow-domain given.
  EXPECT_NE(r.out.find("--allow-local 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << r.Describe();
  EXPECT_EQ(r.out.find("run with --allow-domain"), std::string::npos) << r.Describe();
  EXPECT_EQ(server.connections(), 0);
}

TEST_F(ProxyTest, IpLiteralsNeedARule) {
  HttpServer named;
  HttpServer unnamed;
  auto opts = ProxyOpts(named.port());
  // NO_PROXY keeps the sandbox's own 127.0.0.1 direct: unset it for curl.
  const std::vector<std::string> curl = {"/usr/bin/env", "-u",  "NO_PROXY", "-u",
                                         "no_proxy",     kCurl, "-sS"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), curl.begin(), curl.end());
    return args;
  };
  RunResult no = Run(opts, with({"-w", "\n%{http_code}", Url("127.0.0.1", unnamed.port())}));
  EXPECT_EQ(no.out.substr(no.out.size() - 3), "403") << no.Describe();
  EXPECT_EQ(unnamed.connections(), 0);
  RunResult yes = Run(opts, with({Url("127.0.0.1", named.port(), "/ip")}));
  EXPECT_EQ(yes.out, HttpServer::Greeting("/ip")) << yes.Describe();
  EXPECT_EQ(named.connections(), 1);
}

TEST_F(ProxyTest, DenyBeatsAllowAndWildcardsMatchSubdomainsOnly) {
  HttpServer server;
  std::vector<std::string> opts = {"--net",          "proxy",
                                   "--allow-local",  "127.0.0.1:" + std::to_string(server.port()),
                                   "--allow-domain", "*.example.test",
                                   "--deny-domain",  "bad.example.test"};
  for (const char* name : {"good.example.test", "bad.example.test", "example.test"}) {
    opts.push_back("--resolve");
    opts.push_back(std::string(name) + ":127.0.0.1");
  }
  auto code = [&](const std::string& host) {
    RunResult r =
        Run(opts, {kCurl, "-s", "-o", "/dev/null", "-w", "%{http_code}", Url(host, server.port())});
    return r.out;
  };
  EXPECT_EQ(code("good.example.test"), "200");
  EXPECT_EQ(code("GOOD.Example.Test."), "200");
  EXPECT_EQ(code("bad.example.test"), "403");
  EXPECT_EQ(code("example.test"), "403");
  EXPECT_EQ(server.connections(), 2);
  // A deny rule's 403 says the rule must go; --allow-domain would not help.
  RunResult body = Run(opts, {kCurl, "-s", Url("bad.example.test", server.port())});
  EXPECT_NE(body.out.find("denied by deny \"bad.example.test\" (flag --deny-domain)"),
            std::string::npos)
      << body.Describe();
  EXPECT_NE(body.out.find("remove that rule"), std::string::npos) << body.Describe();
  EXPECT_EQ(body.out.find("run with --allow-domain"), std::string::npos) << body.Describe();
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(ProxyTest, Socks5ConnectsAllowedNamesAndRefusesOthers) {
  HttpServer server;
  auto opts = ProxyOpts(server.port());
  RunResult ok = Run(opts, {"/bin/sh", "-c",
                            kCurl + " -sS --socks5-hostname " + kProxyFromEnv + " " +
                                Url("allowed.test", server.port(), "/socks")});
  EXPECT_EQ(ok.out, HttpServer::Greeting("/socks")) << ok.Describe();
  EXPECT_EQ(server.connections(), 1);
  RunResult no = Run(opts, {"/bin/sh", "-c",
                            kCurl + " -sS --socks5-hostname " + kProxyFromEnv + " " +
                                Url("denied.test", server.port())});
  EXPECT_NE(no.exit_code, 0);
  EXPECT_EQ(no.exit_code, 97) << no.Describe();  // curl: the SOCKS5 server refused
  EXPECT_NE(no.err.find("(2)"), std::string::npos) << no.Describe();  // reply 2: not allowed
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(ProxyTest, DirectConnectionsAndDnsBypassingTheProxyFail) {
  TcpServer server("127.0.0.1");
  TcpServer named("127.0.0.1");
  // Only the allow_local service's own port is relayed in (loopback_test.cc
  // checks that it is); nothing else of the host's loopback is reachable.
  auto opts = ProxyOpts(named.port());
  RunResult direct = Probe(opts, {"connect-tcp", "127.0.0.1", std::to_string(server.port())});
  EXPECT_EQ(direct.exit_code, 1) << direct.Describe();
  EXPECT_EQ(server.TakeAccepted(), 0);
  RunResult dns = Probe(opts, {"dns", "allowed.test"});
  EXPECT_EQ(dns.exit_code, 1) << dns.Describe();
  EXPECT_EQ(dns.FirstLine().rfind("EAI ", 0), 0u) << dns.Describe();
}

TEST_F(ProxyTest, PythonUrllibUsesTheProxyVariables) {
  HttpServer server;
  std::string script = "import urllib.request; print(urllib.request.urlopen('" +
                       Url("allowed.test", server.port(), "/py") + "').read().decode(), end='')";
  RunResult r = Run(ProxyOpts(server.port()), {kPython, "-c", script});
  EXPECT_EQ(r.out, HttpServer::Greeting("/py")) << r.Describe();
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(ProxyTest, GitClonesOverHttpFromAnAllowedHost) {
  TempDir served("cordon-git-");
  RunResult setup = RunProcess(
      {"/bin/sh", "-c",
       "set -e; git init -q -b main src; cd src; echo cordon > file.txt; git add file.txt;"
       " git -c user.name=t -c user.email=t@t commit -qm one; cd ..;"
       " git clone -q --bare src repo.git; cd repo.git; git update-server-info"},
      env_, served.path());
  ASSERT_EQ(setup.exit_code, 0) << setup.Describe();
  HttpServer server("127.0.0.1", served.path());
  RunResult r = Run(ProxyOpts(server.port()),
                    {"/usr/bin/git", "clone", "-q", Url("allowed.test", server.port(), "/repo.git"),
                     ws_ + "/clone"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(ReadFile(ws_ + "/clone/file.txt"), "cordon\n");
  RunResult no = Run(ProxyOpts(server.port()),
                     {"/usr/bin/git", "clone", "-q", Url("denied.test", server.port(), "/repo.git"),
                      ws_ + "/clone2"});
  EXPECT_NE(no.exit_code, 0);
  EXPECT_NE(no.err.find("403"), std::string::npos) << no.Describe();
  EXPECT_FALSE(Exists(ws_ + "/clone2/file.txt"));
}

// A body far beyond the proxy's first read is spliced to the client: curl
// gets it byte for byte, and a second URL on the same run, to a host no
// rule allows, is still refused.
TEST_F(ProxyTest, ALargeBodyArrivesWholeAndTheNextRequestIsStillChecked) {
  TempDir served("cordon-big-");
  std::string big(12U << 20, '\0');
  uint32_t x = 2463534242U;
  for (char& c : big) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  std::ofstream(served.path() + "/big.bin", std::ios::binary) << big;
  HttpServer server("127.0.0.1", served.path());
  RunResult r = Run(ProxyOpts(server.port()),
                    {kCurl, "-sS", "-w", "%{http_code}\n", "-o", ws_ + "/big.bin",
                     Url("allowed.test", server.port(), "/big.bin"), "-o", ws_ + "/denied.txt",
                     Url("denied.test", server.port(), "/big.bin")});
  EXPECT_EQ(r.out, "200\n403\n") << r.Describe();
  EXPECT_TRUE(ReadFile(ws_ + "/big.bin") == big) << "the body differs";
  EXPECT_NE(ReadFile(ws_ + "/denied.txt").find("cordon: blocked denied.test:"), std::string::npos);
  EXPECT_EQ(server.requests(), std::vector<std::string>{"GET /big.bin HTTP/1.1"});
}

TEST_F(ProxyTest, KeepAliveRequestsAreEachChecked) {
  HttpServer server;
  // Two requests on one client connection: the second, to another host, is
  // refused on its own.
  std::string script = kPyProxy +
                       "s = socket.create_connection(PROXY)\n"
                       "def ask(host, path):\n"
                       "    s.sendall(('GET http://%s:" +
                       std::to_string(server.port()) +
                       "%s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n' % (host, path, host)).encode())\n"
                       "    data = b''\n"
                       "    while b'\\r\\n\\r\\n' not in data: data += s.recv(4096)\n"
                       "    head, _, body = data.partition(b'\\r\\n\\r\\n')\n"
                       "    n = int([l.split(b':')[1] for l in head.split(b'\\r\\n') if "
                       "l.lower().startswith(b'content-length')][0])\n"
                       "    while len(body) < n: body += s.recv(4096)\n"
                       "    print(head.split(b'\\r\\n')[0].decode())\n"
                       "ask('allowed.test', '/one')\n"
                       "ask('denied.test', '/two')\n";
  RunResult r = Run(ProxyOpts(server.port()), {kPython, "-c", script});
  EXPECT_EQ(r.out, "HTTP/1.1 200 OK\nHTTP/1.1 403 Forbidden\n") << r.Describe();
  EXPECT_EQ(server.requests(), std::vector<std::string>{"GET /one HTTP/1.1"});
}

TEST_F(ProxyTest, MalformedInputGetsAnErrorAndTheProxyKeepsServing) {
  HttpServer server;
  std::string script =
      kPyProxy +
      "for junk in [b'\\x00\\xff garbage\\r\\n\\r\\n', b'GET /origin-form HTTP/1.1\\r\\n\\r\\n',"
      " b'GET http://allowed.test/ HTTP/9.9\\r\\n\\r\\n', b'A' * 70000]:\n"
      "    s = socket.create_connection(PROXY)\n"
      "    try: s.sendall(junk)\n"
      "    except OSError: pass\n"
      "    data = b''\n"
      "    while True:\n"
      "        try: chunk = s.recv(4096)\n"
      "        except OSError: break\n"
      "        if not chunk: break\n"
      "        data += chunk\n"
      "    print(data.split(b'\\r\\n')[0].decode() or 'closed')\n"
      "import urllib.request\n"
      "print(urllib.request.urlopen('" +
      Url("allowed.test", server.port(), "/after") + "').read().decode(), end='')\n";
  RunResult r = Run(ProxyOpts(server.port()), {kPython, "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < r.out.size();) {
    size_t nl = r.out.find('\n', pos);
    lines.push_back(r.out.substr(pos, nl - pos));
    pos = nl == std::string::npos ? r.out.size() : nl + 1;
  }
  ASSERT_EQ(lines.size(), 5u) << r.Describe();
  EXPECT_EQ(lines[0].rfind("HTTP/1.1 400", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("HTTP/1.1 400", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("HTTP/1.1 505", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("HTTP/1.1 4", 0), 0u) << lines[3];  // 414 or 431
  EXPECT_EQ(lines[4] + "\n", HttpServer::Greeting("/after"));
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(ProxyTest, TheSandboxGetsTheProxyVariablesInBothSpellings) {
  env_["HTTPS_PROXY"] = "http://host-proxy.invalid:8080";
  env_["no_proxy"] = "*";
  RunResult r = Run({"--net", "proxy"}, {"/usr/bin/env"});
  r.out.insert(0, "\n");
  const std::string port = NamespacelessTier() ? "" : "3128\n";  // else a free port
  for (const char* name :
       {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"}) {
    EXPECT_NE(r.out.find(std::string("\n") + name + "=http://127.0.0.1:" + port), std::string::npos)
        << name << "\n"
        << r.out;
  }
  EXPECT_NE(r.out.find("\nno_proxy=localhost,127.0.0.1,::1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("host-proxy.invalid"), std::string::npos) << r.out;
}

TEST_F(ProxyTest, VerboseRunsPrintEveryDecision) {
  HttpServer server;
  auto opts = ProxyOpts(server.port(), {"-v"});
  RunResult r = Run(opts, {"/bin/sh", "-c",
                           kCurl + " -s -o /dev/null " + Url("allowed.test", server.port()) + "; " +
                               kCurl + " -s -o /dev/null " + Url("denied.test", server.port())});
  EXPECT_NE(r.err.find("net.decision: allow allowed.test:" + std::to_string(server.port())),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("net.decision: deny denied.test:" + std::to_string(server.port())),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace cordon::it
