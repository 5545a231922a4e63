#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace cryptodash::core {

/// `v` as compact JSON text, with numbers as people write them: doubles in their shortest
/// round-trip form without a forced exponent (64321.5, 2410000000000, 0.1, 1e-09) where
/// Boost.JSON would write 6.43215E4; non-finite doubles (which JSON cannot hold) as null.
/// Strings are escaped as Boost.JSON escapes them.
std::string to_json(const boost::json::value& v);

/// Appends to_json(v) to `out`.
void append_json(std::string& out, const boost::json::value& v);

}  // namespace cryptodash::core
