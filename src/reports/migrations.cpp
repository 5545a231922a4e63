#include "reports/migrations.h"

namespace cryptodash::reports {
namespace {

// SQLite. AUTOINCREMENT: an id is never handed out twice, even after the newest row is
// deleted by hand, so a cached id never names another report. created_at_ms: milliseconds
// since the Unix epoch, UTC. The index on (symbol, timeframe, id) serves latest() and the
// filtered listings; the primary key serves the others.
constexpr migration sqlite_steps[] = {
    {1, "reports table",
     R"sql(
CREATE TABLE reports (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  symbol        TEXT    NOT NULL CHECK (length(symbol) BETWEEN 1 AND 15),
  timeframe     TEXT    NOT NULL CHECK (timeframe IN ('1d', '1w')),
  created_at_ms INTEGER NOT NULL,
  body          TEXT    NOT NULL
);
CREATE INDEX reports_by_symbol_timeframe ON reports (symbol, timeframe, id);
CREATE INDEX reports_by_timeframe ON reports (timeframe, id);
)sql"},
    {2, "reports are immutable",
     R"sql(
CREATE TRIGGER reports_immutable BEFORE UPDATE ON reports
BEGIN
  SELECT RAISE(ABORT, 'reports are immutable');
END;
)sql"},
};

// PostgreSQL. An identity column (never reused); created_at as timestamptz so that the table
// reads naturally in psql; body as text, not jsonb, because the store keeps it byte for byte.
constexpr migration postgresql_steps[] = {
    {1, "reports table",
     R"sql(
CREATE TABLE reports (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  symbol     TEXT        NOT NULL CHECK (symbol ~ '^[a-z0-9]{1,15}$'),
  timeframe  TEXT        NOT NULL CHECK (timeframe IN ('1d', '1w')),
  created_at TIMESTAMPTZ NOT NULL,
  body       TEXT        NOT NULL
);
CREATE INDEX reports_by_symbol_timeframe ON reports (symbol, timeframe, id);
CREATE INDEX reports_by_timeframe ON reports (timeframe, id);
)sql"},
    {2, "reports are immutable",
     R"sql(
CREATE FUNCTION reports_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'reports are immutable' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER reports_immutable BEFORE UPDATE ON reports
  FOR EACH ROW EXECUTE FUNCTION reports_refuse_update();
)sql"},
};

static_assert(std::size(sqlite_steps) == std::size(postgresql_steps));

}  // namespace

std::span<const migration> sqlite_migrations() noexcept {
  return sqlite_steps;
}
std::span<const migration> postgresql_migrations() noexcept {
  return postgresql_steps;
}

}  // namespace cryptodash::reports
