#pragma once

#include <span>
#include <string_view>

namespace cryptodash::reports {

/// One step of the schema. Versions start at 1 and go up by one; a step, once released, is
/// never edited: a change is a new step. A store applies the steps it has not applied yet, each
/// in one transaction with its row in `schema_version`.
struct migration {
  int version;
  std::string_view description;
  std::string_view sql;  ///< one or more statements
};

/// The same schema for each backend, in its dialect. Both lists have the same versions.
std::span<const migration> sqlite_migrations() noexcept;
std::span<const migration> postgresql_migrations() noexcept;

}  // namespace cryptodash::reports
