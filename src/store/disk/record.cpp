#include "store/disk/record.h"

#include <fmt/format.h>

namespace cryptodash::store::disk {
namespace {

constexpr std::string_view magic = "CDD";
constexpr unsigned char version = 1;

}  // namespace

std::string encode_record(std::string_view key, const cache::entry& e) {
  std::string out;
  out.append(magic);
  out.push_back(static_cast<char>(version));
  out.push_back(static_cast<char>(key.size() & 0xFF));
  out.push_back(static_cast<char>((key.size() >> 8) & 0xFF));
  out.append(key);
  out.append(cache::encode_entry(e));
  std::uint32_t crc = cache::crc32(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return out;
}

core::result<record> decode_record(std::string_view bytes) {
  auto corrupt = make_error_code(core::errc::corrupt);
  if (bytes.size() < 6 + 4 || bytes.substr(0, 3) != magic) return corrupt;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (p[3] != version) return corrupt;
  std::size_t key_len = p[4] | (std::size_t{p[5]} << 8);
  if (bytes.size() < 6 + key_len + 4) return corrupt;
  std::uint32_t stored = 0;
  for (int i = 3; i >= 0; --i) stored = (stored << 8) | p[bytes.size() - 4 + static_cast<std::size_t>(i)];
  if (cache::crc32(bytes.substr(0, bytes.size() - 4)) != stored) return corrupt;
  auto e = cache::decode_entry(bytes.substr(6 + key_len, bytes.size() - 4 - 6 - key_len));
  if (!e) return corrupt;
  return record{std::string(bytes.substr(6, key_len)), std::move(*e)};
}

std::string file_name(std::string_view key) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}.rec", h);
}

}  // namespace cryptodash::store::disk
