#include "store/redis/resp.h"
#include "store/redis/url.h"

#include <gtest/gtest.h>

namespace cryptodash::store::redis {
namespace {

TEST(Resp, EncodesBinarySafeCommands) {
  EXPECT_EQ(encode({"GET", "k"}), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  std::string binary("a\0b\r\n", 5);
  EXPECT_EQ(encode({"SET", "k", binary}),
            std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\0b\r\n\r\n", 31));
}

TEST(Resp, ParsesEveryReplyType) {
  parser p;
  p.feed("+OK\r\n-ERR wrong\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:7\r\n");
  auto next = [&] {
    auto r = p.next();
    EXPECT_TRUE(r);
    EXPECT_TRUE(*r);
    return **r;
  };
  auto ok = next();
  EXPECT_EQ(ok.type, reply::kind::status);
  EXPECT_EQ(ok.str, "OK");
  auto err = next();
  EXPECT_TRUE(err.is_error());
  EXPECT_EQ(err.str, "ERR wrong");
  EXPECT_EQ(next().integer, 42);
  EXPECT_EQ(next().str, "hello");
  EXPECT_TRUE(next().is_nil());
  auto arr = next();
  ASSERT_EQ(arr.elements.size(), 2U);
  EXPECT_EQ(arr.elements[0].str, "a");
  EXPECT_EQ(arr.elements[1].elements[0].integer, 7);
  auto none = p.next();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST(Resp, WaitsForPartialReplies) {
  parser p;
  p.feed("$11\r\nhel");
  auto r = p.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  p.feed("lo worl");
  EXPECT_FALSE(*p.next());
  p.feed("d\r\n");
  auto done = p.next();
  ASSERT_TRUE(done && *done);
  EXPECT_EQ((*done)->str, "hello world");
}

TEST(Resp, RefusesGarbage) {
  parser p;
  p.feed("%%% not resp\r\n");
  auto r = p.next();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), core::errc::bad_response);
}

TEST(RedisUrl, ParsesEveryPart) {
  auto e = parse_url("rediss://alice:p%40ss@cache.internal:6380/3");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "cache.internal");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->user, "alice");
  EXPECT_EQ(e->password.reveal(), "p@ss");
  EXPECT_EQ(e->db, 3);

  auto plain = parse_url("redis://127.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->port, 6379);
  EXPECT_TRUE(plain->password.empty());
  EXPECT_EQ(plain->db, 0);

  auto pw_only = parse_url("redis://:secret@localhost/0");
  ASSERT_TRUE(pw_only);
  EXPECT_TRUE(pw_only->user.empty());
  EXPECT_EQ(pw_only->password.reveal(), "secret");

  EXPECT_FALSE(parse_url("http://localhost"));
  EXPECT_FALSE(parse_url("redis://localhost/x"));
  EXPECT_FALSE(parse_url("redis://"));
}

}  // namespace
}  // namespace cryptodash::store::redis
