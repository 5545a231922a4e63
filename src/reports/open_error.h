#pragma once

#include "core/error.h"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>

namespace cryptodash::reports {

/// Why a report store could not be opened: the condition (core::errc) and a sentence for the
/// operator that names the setting or file at fault and never shows a password. Opening happens
/// at start, where a clear message matters more than on the request path.
struct open_error {
  boost::system::error_code code;
  std::string message;
};

/// For open_result<T>::value() on an error: throws boost::system::system_error with the message.
[[noreturn]] void throw_exception_from_error(const open_error& e,
                                             const boost::source_location& loc);

template <class T>
using open_result = boost::system::result<T, open_error>;

}  // namespace cryptodash::reports
