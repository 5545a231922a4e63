#include "core/json_text.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <limits>

namespace cryptodash::core {
namespace {

TEST(JsonText, NumbersAsPeopleWriteThem) {
  boost::json::object o;
  o["a"] = 64321.5;
  o["b"] = 2410000000000.0;
  o["c"] = 0.1;
  o["d"] = -1.21;
  o["e"] = 42;
  o["f"] = std::numeric_limits<double>::quiet_NaN();
  o["g"] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(to_json(o),
            R"({"a":64321.5,"b":2410000000000,"c":0.1,"d":-1.21,"e":42,"f":null,"g":null})");
}

TEST(JsonText, RoundTripsThroughAParser) {
  auto v = boost::json::parse(
      R"({"s":"quote \" backslash \\ newline \n","n":null,"t":true,"a":[1,2.5,{"x":[]}],"u":18446744073709551615})");
  EXPECT_EQ(boost::json::parse(to_json(v)), v);
  auto tiny = boost::json::parse(to_json(boost::json::value(1e-9)));
  EXPECT_EQ(tiny.as_double(), 1e-9);
}

}  // namespace
}  // namespace cryptodash::core
