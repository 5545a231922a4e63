#include "upstream/providers/json_read.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

namespace cryptodash::upstream {
namespace {

using core::errc;
namespace json = boost::json;

boost::system::error_code bad() {
  return make_error_code(errc::bad_response);
}

double from_chars_double(std::string_view s) {
  double d = 0;
  std::from_chars(s.data(), s.data() + s.size(), d);
  return d;
}

TEST(parse_json, doubles_are_correctly_rounded) {
  // Boost.JSON 1.81's own conversion gets the first three of these wrong by an ulp.
  for (auto [text, expected] : std::initializer_list<std::pair<const char*, double>>{
           {"105652.65330358183", 105652.65330358183},
           {"5.806313673e+44", 5.806313673e+44},
           {"-1.614161e-68", -1.614161e-68},
           {"6.88313e-7", 6.88313e-7},
           {"5.6366e-11", 5.6366e-11},
           {"3.90607995806268e+15", 3.90607995806268e+15},
           {"20085093.0", 20085093.0},
           {"0.0", 0.0},
           {"-0.0", -0.0},
           {"18446744073709551616", 18446744073709551616.0},  // above uint64
       }) {
    auto v = parse_json(text);
    ASSERT_TRUE(v) << text;
    ASSERT_TRUE(v->is_double()) << text;
    EXPECT_EQ(v->get_double(), expected) << text;
  }
}

TEST(parse_json, random_doubles_match_from_chars) {
  std::mt19937_64 rng(42);
  int checked = 0;
  while (checked < 20000) {
    std::uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    char buf[64];
    int digits = static_cast<int>(rng() % 17) + 1;
    int n = std::snprintf(buf, sizeof buf, "%.*e", digits, d);
    std::string_view text(buf, static_cast<std::size_t>(n));
    auto v = parse_json(text);
    ASSERT_TRUE(v) << text;
    ASSERT_TRUE(v->is_double()) << text;
    ASSERT_EQ(v->get_double(), from_chars_double(text)) << text;
    ++checked;
  }
}

TEST(parse_json, integers_keep_their_type) {
  auto i = parse_json("[1711843200000,-5,18446744073709551615]");
  ASSERT_TRUE(i);
  const auto& a = i->as_array();
  EXPECT_EQ(a[0].as_int64(), 1711843200000);
  EXPECT_EQ(a[1].as_int64(), -5);
  EXPECT_EQ(a[2].as_uint64(), std::numeric_limits<std::uint64_t>::max());
}

TEST(parse_json, documents_and_strings) {
  auto v = parse_json(R"({"a":{"b":[true,null,"x\u00e9"]}})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("a").at("b").at(2).as_string(), "x\xc3\xa9");
  EXPECT_TRUE(v->at("a").at("b").at(1).is_null());
}

TEST(parse_json, rejects_non_json) {
  for (const char* s :
       {"", " ", "{", "[1,]", "{} {}", "nul", "1e999", "-1e400", "NaN", "[Infinity]",
        "<html></html>", "error code: 1015", "{\"a\":1}\n\nx", "'x'"}) {
    EXPECT_EQ(parse_json(s).error(), bad()) << s;
  }
  EXPECT_TRUE(parse_json(" {\"a\":1} \n"));  // surrounding whitespace is fine
}

TEST(parse_decimal, accepts_plain_decimals) {
  EXPECT_EQ(parse_decimal("47174.97000000").value(), 47174.97);
  EXPECT_EQ(parse_decimal("-3.531").value(), -3.531);
  EXPECT_EQ(parse_decimal("0.00000000").value(), 0.0);
  EXPECT_EQ(parse_decimal("1e-7").value(), 1e-7);
  EXPECT_EQ(parse_decimal("1592599905.80360790").value(), 1592599905.8036079);
  EXPECT_EQ(parse_decimal("20").value(), 20.0);
}

TEST(parse_decimal, rejects_everything_else) {
  for (const char* s :
       {"",       " 1",   "1 ",  "+1",    "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999",
        "-1e999", "0x10", "1,5", "1.2.3", "--1", "1e",  ".",    "-",   "1.0f", "１"}) {
    EXPECT_EQ(parse_decimal(s).error(), bad()) << s;
  }
}

TEST(parse_integer, whole_text_only) {
  EXPECT_EQ(parse_integer("1762560000").value(), 1762560000);
  EXPECT_EQ(parse_integer("-1").value(), -1);
  EXPECT_EQ(parse_integer("007").value(), 7);
  for (const char* s : {"", "1.0", "1e3", "+1", " 1", "1 ", "9223372036854775808", "abc", "0x1"}) {
    EXPECT_EQ(parse_integer(s).error(), bad()) << s;
  }
}

TEST(json_reader, reads_members_and_keeps_first_failure) {
  auto doc = parse_json(R"({"n":1.5,"i":7,"neg":-2,"s":"x","d":"2.5","z":null,"o":{},"a":[1,2]})");
  ASSERT_TRUE(doc);
  const auto& o = doc->as_object();
  json_reader rd;
  EXPECT_EQ(rd.number(o, "n"), 1.5);
  EXPECT_EQ(rd.number(o, "i", sign::non_negative), 7.0);
  EXPECT_EQ(rd.number(o, "neg"), -2.0);
  EXPECT_EQ(rd.integer(o, "i"), 7);
  EXPECT_EQ(rd.string(o, "s"), "x");
  EXPECT_EQ(rd.name(o, "s"), "x");
  EXPECT_EQ(rd.decimal(o, "d", sign::non_negative), 2.5);
  EXPECT_FALSE(rd.nullable_number(o, "z"));
  EXPECT_EQ(rd.nullable_number(o, "n"), 1.5);
  EXPECT_TRUE(rd.object(o, "o").empty());
  EXPECT_EQ(rd.array(o, "a").size(), 2u);
  EXPECT_EQ(rd.array(o.at("a"), 2).size(), 2u);
  EXPECT_TRUE(rd.ok());

  EXPECT_EQ(rd.number(o, "neg", sign::non_negative), 0.0);  // fails, returns a default
  EXPECT_FALSE(rd.ok());
  EXPECT_EQ(rd.error(), bad());
  rd.fail(errc::upstream_error);
  EXPECT_EQ(rd.error(), bad());  // the first failure wins
}

TEST(json_reader, each_wrong_read_fails) {
  auto doc = parse_json(R"({"n":1.5,"u":18446744073709551615,"s":"x","e":"","z":null,"a":[1]})");
  ASSERT_TRUE(doc);
  const auto& o = doc->as_object();
  std::vector<std::pair<const char*, std::function<void(json_reader&)>>> reads = {
      {"missing", [&](json_reader& r) { r.number(o, "missing"); }},
      {"string as number", [&](json_reader& r) { r.number(o, "s"); }},
      {"null as number", [&](json_reader& r) { r.number(o, "z"); }},
      {"double as integer", [&](json_reader& r) { r.integer(o, "n"); }},
      {"uint64 above int64", [&](json_reader& r) { r.integer(o, "u"); }},
      {"number as string", [&](json_reader& r) { r.string(o, "n"); }},
      {"empty name", [&](json_reader& r) { r.name(o, "e"); }},
      {"number as decimal string", [&](json_reader& r) { r.decimal(o, "n"); }},
      {"text as decimal", [&](json_reader& r) { r.decimal(o, "s"); }},
      {"text as integer string", [&](json_reader& r) { r.integer_string(o, "s"); }},
      {"missing nullable", [&](json_reader& r) { r.nullable_number(o, "missing"); }},
      {"array as object", [&](json_reader& r) { r.object(o, "a"); }},
      {"object as array", [&](json_reader& r) { r.array(*doc); }},
      {"wrong length", [&](json_reader& r) { r.array(o.at("a"), 2); }},
      {"check", [&](json_reader& r) { r.check(false); }},
      {"time before 2009", [&](json_reader& r) { r.unix_seconds(1230767999, {}); }},
      {"bad date",
       [&](json_reader& r) { r.iso8601("2023-02-29T00:00:00Z", core::time_point::max()); }},
  };
  for (auto& [what, read] : reads) {
    json_reader rd;
    read(rd);
    EXPECT_EQ(rd.error(), bad()) << what;
  }
}

}  // namespace
}  // namespace cryptodash::upstream
