#include "server_fixture.h"

#include <gmock/gmock.h>
#include <boost/json/parse.hpp>

#include <csignal>
#include <thread>

namespace cryptodash::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
namespace http = boost::beast::http;

TEST(Serve, AnswersProbes) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();

  auto live = http_get(s.port, "/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->result(), http::status::ok);
  EXPECT_EQ(boost::json::parse(live->body()).at("status").as_string(), "alive");

  auto ready = http_get(s.port, "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->result(), http::status::ok);

  auto health = http_get(s.port, "/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->result(), http::status::ok);
  EXPECT_EQ(boost::json::parse(health->body()).at("status").as_string(), "healthy");

  auto missing = http_get(s.port, "/no/such/route");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result(), http::status::not_found);
  EXPECT_EQ(boost::json::parse(missing->body()).at("error").at("code").as_string(), "not_found");
}

TEST(Serve, KeepsConnectionsAlive) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port);
  for (int i = 0; i < 5; ++i) {
    auto res = c.get("/livez");
    ASSERT_TRUE(res) << "request " << i;
    EXPECT_EQ(res->result(), http::status::ok);
  }
}

// Two requests in one packet: both are answered, in order, on the same connection.
TEST(Serve, AnswersPipelinedRequestsInOrder) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port);
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /no/such HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result(), http::status::ok);
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->result(), http::status::not_found);
}

// A request that arrives a few bytes at a time is assembled before it is answered.
TEST(Serve, AssemblesARequestSentInPieces) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port);
  const std::string request = "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
  for (std::size_t i = 0; i < request.size(); i += 5) {
    c.send(request.substr(i, 5));
    std::this_thread::sleep_for(2ms);  // separate segments, so the server sees each piece
  }
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
  EXPECT_EQ(boost::json::parse(res->body()).at("status").as_string(), "alive");
}

// HEAD announces the GET body's length and sends no body: the next answer on the same
// connection starts right after the head.
TEST(Serve, HeadSendsTheLengthButNoBody) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port);
  auto get = c.get("/livez");
  ASSERT_TRUE(get);
  c.send("HEAD /livez HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = c.read_response(/*to_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->result(), http::status::ok);
  EXPECT_EQ(head->at(http::field::content_length), std::to_string(get->body().size()));
  EXPECT_TRUE(head->body().empty());
  auto after = c.get("/no/such");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->result(), http::status::not_found);
}

// SIGTERM while a request is half-sent: the request still completes, new connections are
// refused, and the process exits 0.
TEST(Serve, SigtermFinishesTheRequestInFlightAndExitsZero) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();

  http_connection in_flight(s.port);
  in_flight.send("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // headers not finished
  std::this_thread::sleep_for(200ms);
  s.process->signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return s.process->err().find("draining") != std::string::npos; }))
      << s.process->err();

  EXPECT_TRUE(s.process->running());
  // No longer accepting (the listener closes right after the log line).
  EXPECT_TRUE(eventually([&] {
    try {
      http_connection probe(s.port);
      return false;
    } catch (const std::exception&) {
      return true;
    }
  }, 2s));

  in_flight.send("\r\n");
  auto res = in_flight.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::ok);
  EXPECT_FALSE(res->keep_alive());  // draining: the connection closes after this answer

  auto code = s.process->wait(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0) << s.process->err();
}

// An idle keep-alive connection does not hold up the exit.
TEST(Serve, SigtermClosesIdleConnectionsAtOnce) {
  auto s = start_server({"--set", "server.idle_timeout_ms=60000"});
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection idle(s.port);
  ASSERT_TRUE(idle.get("/livez"));

  auto t0 = std::chrono::steady_clock::now();
  s.process->signal(SIGTERM);
  auto code = s.process->wait(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  EXPECT_TRUE(idle.closed_by_peer());
}

TEST(Serve, SigintAlsoStopsCleanly) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();
  s.process->signal(SIGINT);
  auto code = s.process->wait(10s);
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
}

TEST(Serve, OversizedHeadersGet431) {
  auto s = start_server({"--set", "server.max_header_bytes=1024"});
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port);
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::request_header_fields_too_large);
  EXPECT_EQ(boost::json::parse(res->body()).at("error").at("code").as_string(), "header_too_large");
  // The server is unharmed.
  EXPECT_TRUE(http_get(s.port, "/livez"));
}

TEST(Serve, OversizedBodyGets413) {
  auto s = start_server({"--set", "server.max_body_bytes=1000"});
  ASSERT_NE(s.port, 0) << s.process->err();
  {
    http_connection c(s.port);
    c.send("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result(), http::status::payload_too_large);
  }
  {
    // Chunked bodies are bounded too, as they arrive.
    http_connection c(s.port);
    std::string chunk(800, 'z');
    c.send("POST /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
           std::string("320\r\n") + chunk + "\r\n" + "320\r\n" + chunk + "\r\n0\r\n\r\n");
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result(), http::status::payload_too_large);
  }
  {
    // Within the bound the request reaches the router (no POST route here: 405).
    http_connection c(s.port);
    c.send("POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
    auto res = c.read_response();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result(), http::status::method_not_allowed);
  }
}

TEST(Serve, SlowHeadersGet408) {
  auto s = start_server({"--set", "server.header_timeout_ms=300"});
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port, 5s);
  auto t0 = std::chrono::steady_clock::now();
  c.send("GET /livez HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::request_timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(Serve, MalformedRequestGets400) {
  auto s = start_server();
  ASSERT_NE(s.port, 0) << s.process->err();
  http_connection c(s.port);
  c.send("NOT HTTP AT ALL\r\n\r\n");
  auto res = c.read_response();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), http::status::bad_request);
}

TEST(Serve, InvalidSettingsExitNonZeroNamingTheSetting) {
  temp_dir dir;
  auto bad = run({CRYPTODASH_BINARY, "serve"}, {{"PORT", "70000"}, {"CACHE_L1_CAPACITY", "-3"}});
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("server.port: port out of range: 70000"));
  EXPECT_THAT(bad.err, HasSubstr("cache.l1.capacity"));

  auto file = dir.write("bad.toml", "[cache]\nstrategy = \"turbo\"\n");
  auto bad_file = run({CRYPTODASH_BINARY, "serve", "--config", file.string()});
  EXPECT_EQ(bad_file.code, 2);
  EXPECT_THAT(bad_file.err, HasSubstr("cache.strategy: unknown value \"turbo\""));

  auto prod = run({CRYPTODASH_BINARY, "serve", "--port", "0"},
                  {{"APP_ENV", "production"}, {"ADMIN_TOKEN", ""}});
  EXPECT_EQ(prod.code, 2);
  EXPECT_THAT(prod.err, HasSubstr("server.admin_token: required in production"));
}

TEST(Serve, PortInUseFailsWithAMessage) {
  auto first = start_server();
  ASSERT_NE(first.port, 0);
  auto second = run({CRYPTODASH_BINARY, "serve", "--listen-addr", "127.0.0.1", "--port",
                     std::to_string(first.port)});
  EXPECT_EQ(second.code, 1);
  EXPECT_THAT(second.err, HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port)));
}

TEST(Serve, ProductionLogsAreJsonLinesWithoutSecrets) {
  const std::string token = "prod-token-0123456789-SECRET";
  auto s = start_server(
      {}, {{"APP_ENV", "production"}, {"ADMIN_TOKEN", token}, {"COINGECKO_API_KEY", "cg-SECRET"}});
  ASSERT_NE(s.port, 0) << s.process->err();
  s.process->signal(SIGTERM);
  ASSERT_TRUE(s.process->wait(10s));
  auto err = s.process->err();
  EXPECT_THAT(err, Not(HasSubstr("SECRET")));
  std::istringstream lines(err);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    auto v = boost::json::parse(line);  // throws if a line is not JSON
    EXPECT_TRUE(v.as_object().contains("ts"));
    EXPECT_TRUE(v.as_object().contains("level"));
    EXPECT_TRUE(v.as_object().contains("msg"));
  }
  EXPECT_GE(n, 3);
}

TEST(Serve, SighupReloadsLiveSettings) {
  temp_dir dir;
  auto file =
      dir.write("c.toml", "[logging]\nlevel = \"info\"\n[cache.ttl]\nmarket_seconds = 60\n");
  auto s = start_server({"--config", file.string()});
  ASSERT_NE(s.port, 0) << s.process->err();
  dir.write("c.toml",
            "[logging]\nlevel = \"info\"\n[cache.ttl]\nmarket_seconds = 15\n"
            "[server]\nmax_connections = 5\n");
  s.process->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return s.process->err().find("reload applied: cache.ttl.market_seconds") != std::string::npos;
  })) << s.process->err();
  EXPECT_THAT(s.process->err(), HasSubstr("need a restart: server.max_connections"));

  dir.write("c.toml", "[cache.ttl]\nmarket_seconds = -1\n");
  s.process->signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return s.process->err().find("reload refused: cache.ttl.market_seconds") != std::string::npos;
  })) << s.process->err();
  EXPECT_TRUE(http_get(s.port, "/livez"));  // still serving
}

}  // namespace
}  // namespace cryptodash::testing
