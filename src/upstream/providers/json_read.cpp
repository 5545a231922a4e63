#include "upstream/providers/json_read.h"

#include "upstream/providers/common.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace cryptodash::upstream {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// Boost.JSON's own handler (detail/handler.hpp), except that doubles are re-read from their
// text with std::from_chars, which rounds correctly.
struct exact_handler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string number;  // the text of a number split over several calls

  exact_handler() = default;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t n, error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double, json::string_view s, error_code& ec) {
    number.append(s.data(), s.size());
    double d = 0;
    auto [end, err] = std::from_chars(number.data(), number.data() + number.size(), d);
    bool exact = err == std::errc() && end == number.data() + number.size() && std::isfinite(d);
    number.clear();
    if (!exact) {
      ec = json::error::exponent_overflow;
      return false;
    }
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

const json::object& empty_object() {
  static const json::object o;
  return o;
}
const json::array& empty_array() {
  static const json::array a;
  return a;
}

std::optional<double> as_number(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64: return static_cast<double>(v.get_int64());
    case json::kind::uint64: return static_cast<double>(v.get_uint64());
    case json::kind::double_: return v.get_double();
    default: return std::nullopt;
  }
}

bool sign_ok(double d, sign s) {
  return std::isfinite(d) && (s == sign::any || d >= 0);
}

}  // namespace

core::result<json::value> parse_json(std::string_view body) {
  json::basic_parser<exact_handler> p(json::parse_options{});
  p.handler().st.reset();
  error_code ec;
  std::size_t n = p.write_some(false, body.data(), body.size(), ec);
  if (ec || n != body.size() || !p.done()) return make_error_code(core::errc::bad_response);
  return p.handler().st.release();
}

core::result<double> parse_decimal(std::string_view text) {
  double d = 0;
  const char* end = text.data() + text.size();
  auto [p, err] = std::from_chars(text.data(), end, d, std::chars_format::general);
  if (text.empty() || err != std::errc() || p != end || !std::isfinite(d)) {
    return make_error_code(core::errc::bad_response);
  }
  return d;
}

core::result<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t i = 0;
  const char* end = text.data() + text.size();
  auto [p, err] = std::from_chars(text.data(), end, i);
  if (text.empty() || err != std::errc() || p != end) {
    return make_error_code(core::errc::bad_response);
  }
  return i;
}

const json::value* json_reader::find(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr) fail(core::errc::bad_response);
  return v;
}

const json::object& json_reader::object(const json::value& v) {
  if (const auto* o = v.if_object()) return *o;
  fail(core::errc::bad_response);
  return empty_object();
}

const json::object& json_reader::object(const json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr ? object(*v) : empty_object();
}

const json::array& json_reader::array(const json::value& v) {
  if (const auto* a = v.if_array()) return *a;
  fail(core::errc::bad_response);
  return empty_array();
}

const json::array& json_reader::array(const json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr ? array(*v) : empty_array();
}

const json::array& json_reader::array(const json::value& v, std::size_t n) {
  const auto& a = array(v);
  if (a.size() == n) return a;
  fail(core::errc::bad_response);
  return empty_array();
}

std::string_view json_reader::string(const json::value& v) {
  if (const auto* s = v.if_string()) return std::string_view(s->data(), s->size());
  fail(core::errc::bad_response);
  return {};
}

std::string_view json_reader::string(const json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr ? string(*v) : std::string_view();
}

std::string_view json_reader::name(const json::object& o, std::string_view key) {
  auto s = string(o, key);
  check(!s.empty());
  return s;
}

double json_reader::number(const json::value& v, sign s) {
  auto d = as_number(v);
  if (d && sign_ok(*d, s)) return *d;
  fail(core::errc::bad_response);
  return 0;
}

double json_reader::number(const json::object& o, std::string_view key, sign s) {
  const auto* v = find(o, key);
  return v != nullptr ? number(*v, s) : 0;
}

std::optional<double> json_reader::nullable_number(const json::object& o, std::string_view key,
                                                   sign s) {
  const auto* v = find(o, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return number(*v, s);
}

std::int64_t json_reader::integer(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= std::numeric_limits<std::int64_t>::max()) {
    return static_cast<std::int64_t>(v.get_uint64());
  }
  fail(core::errc::bad_response);
  return 0;
}

std::int64_t json_reader::integer(const json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  return v != nullptr ? integer(*v) : 0;
}

double json_reader::decimal(const json::value& v, sign s) {
  auto d = parse_decimal(string(v));
  if (d && sign_ok(*d, s)) return *d;
  fail(core::errc::bad_response);
  return 0;
}

double json_reader::decimal(const json::object& o, std::string_view key, sign s) {
  const auto* v = find(o, key);
  return v != nullptr ? decimal(*v, s) : 0;
}

std::int64_t json_reader::integer_string(const json::object& o, std::string_view key) {
  const auto* v = find(o, key);
  if (v == nullptr) return 0;
  auto text = string(*v);
  if (!ok()) return 0;
  auto i = parse_integer(text);
  if (i) return *i;
  fail(core::errc::bad_response);
  return 0;
}

core::time_point json_reader::unix_seconds(std::int64_t s, core::time_point now) {
  if (auto t = plausible_unix_seconds(s, now)) return *t;
  fail(core::errc::bad_response);
  return {};
}

core::time_point json_reader::unix_millis(std::int64_t ms, core::time_point now) {
  if (auto t = plausible_unix_millis(ms, now)) return *t;
  fail(core::errc::bad_response);
  return {};
}

core::time_point json_reader::iso8601(std::string_view text, core::time_point now) {
  auto t = parse_iso8601(text);
  if (t && plausible_time(*t, now)) return *t;
  fail(core::errc::bad_response);
  return {};
}

void json_reader::check(bool condition) {
  if (!condition) fail(core::errc::bad_response);
}

void json_reader::fail(core::errc e) {
  if (!error_) error_ = make_error_code(e);
}

}  // namespace cryptodash::upstream
