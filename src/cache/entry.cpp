#include "cache/entry.h"

#include <zlib.h>

#include <cstring>

namespace cryptodash::cache {
namespace {

constexpr std::string_view magic = "CDE";
constexpr unsigned char version = 1;
constexpr std::size_t header_size = 3 + 1 + 8 * 3 + 4;

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::uint32_t get_u32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
std::int64_t ns(core::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
core::time_point from_ns(std::int64_t v) {
  return core::time_point(std::chrono::duration_cast<core::duration>(std::chrono::nanoseconds(v)));
}

}  // namespace

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) noexcept {
  return static_cast<std::uint32_t>(::crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()),
                                              bytes.size()));
}

std::string encode_entry(const entry& e) {
  std::string out;
  out.reserve(header_size + e.payload.size() + 4);
  out.append(magic);
  out.push_back(static_cast<char>(version));
  put_u64(out, static_cast<std::uint64_t>(ns(e.created_at)));
  put_u64(out, static_cast<std::uint64_t>(ns(e.fresh_until)));
  put_u64(out, static_cast<std::uint64_t>(ns(e.stale_until)));
  put_u32(out, static_cast<std::uint32_t>(e.payload.size()));
  out.append(e.payload);
  put_u32(out, crc32(out));
  return out;
}

core::result<entry> decode_entry(std::string_view bytes) {
  auto corrupt = make_error_code(core::errc::corrupt);
  if (bytes.size() < header_size + 4 || bytes.substr(0, 3) != magic) return corrupt;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (p[3] != version) return corrupt;
  std::uint32_t length = get_u32(p + 28);
  if (bytes.size() != header_size + length + 4) return corrupt;
  std::uint32_t stored = get_u32(p + header_size + length);
  if (crc32(bytes.substr(0, header_size + length)) != stored) return corrupt;
  entry e;
  e.created_at = from_ns(static_cast<std::int64_t>(get_u64(p + 4)));
  e.fresh_until = from_ns(static_cast<std::int64_t>(get_u64(p + 12)));
  e.stale_until = from_ns(static_cast<std::int64_t>(get_u64(p + 20)));
  e.payload.assign(bytes.substr(header_size, length));
  if (e.fresh_until < e.created_at || e.stale_until < e.fresh_until) return corrupt;
  return e;
}

}  // namespace cryptodash::cache
