#include "reports/open_error.h"

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

namespace cryptodash::reports {

void throw_exception_from_error(const open_error& e, const boost::source_location& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.message), loc);
}

}  // namespace cryptodash::reports
