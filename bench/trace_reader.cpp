#include "trace_reader.h"

#include <lzma.h>
#include <zlib.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

namespace cryptodash::bench {
namespace {

// Streams the decompressed bytes of `path` (gzip or xz) to `on_bytes`.
void read_gzip(const std::string& path, const std::function<void(const char*, std::size_t)>& on_bytes) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(f, gzclose);
  std::vector<char> buf(1 << 20);
  for (;;) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) throw std::runtime_error("corrupt gzip data in " + path);
    if (n == 0) return;
    on_bytes(buf.data(), static_cast<std::size_t>(n));
  }
}

void read_xz(const std::string& path, const std::function<void(const char*, std::size_t)>& on_bytes) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) throw std::runtime_error("cannot open " + path);
  lzma_stream strm = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&strm, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
    throw std::runtime_error("lzma init failed");
  }
  std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> ender(&strm, lzma_end);
  std::vector<std::uint8_t> in(1 << 16);
  std::vector<std::uint8_t> out(1 << 20);
  lzma_action action = LZMA_RUN;
  strm.next_out = out.data();
  strm.avail_out = out.size();
  for (;;) {
    if (strm.avail_in == 0 && action == LZMA_RUN) {
      strm.next_in = in.data();
      strm.avail_in = std::fread(in.data(), 1, in.size(), file.get());
      if (std::feof(file.get())) action = LZMA_FINISH;
    }
    lzma_ret ret = lzma_code(&strm, action);
    if (strm.avail_out == 0 || ret == LZMA_STREAM_END) {
      on_bytes(reinterpret_cast<const char*>(out.data()), out.size() - strm.avail_out);
      strm.next_out = out.data();
      strm.avail_out = out.size();
    }
    if (ret == LZMA_STREAM_END) return;
    if (ret != LZMA_OK) throw std::runtime_error("corrupt xz data in " + path);
  }
}

}  // namespace

trace_format parse_trace_format(const std::string& name) {
  if (name == "lirs") return trace_format::lirs;
  if (name == "cache2k") return trace_format::cache2k;
  if (name == "scarab") return trace_format::scarab;
  throw std::invalid_argument("unknown trace format '" + name + "' (lirs, cache2k, scarab)");
}

std::uint64_t read_trace(const std::string& path, trace_format format,
                         const std::function<void(std::int64_t)>& on_key) {
  std::uint64_t events = 0;
  if (format == trace_format::lirs) {
    std::string pending;
    read_gzip(path, [&](const char* data, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        char c = data[i];
        if (c == '\n' || c == '\r') {
          if (!pending.empty()) {
            on_key(std::stoll(pending));
            ++events;
            pending.clear();
          }
        } else if (c != ' ' && c != '\t') {
          pending.push_back(c);
        }
      }
    });
    if (!pending.empty()) {
      on_key(std::stoll(pending));
      ++events;
    }
    return events;
  }
  const std::size_t width = format == trace_format::cache2k ? 4 : 8;
  std::vector<std::uint8_t> carry;
  read_xz(path, [&](const char* data, std::size_t n) {
    carry.insert(carry.end(), data, data + n);
    std::size_t i = 0;
    for (; i + width <= carry.size(); i += width) {
      std::uint64_t v = 0;
      for (std::size_t b = 0; b < width; ++b) v = (v << 8) | carry[i + b];
      std::int64_t key = width == 4 ? static_cast<std::int32_t>(static_cast<std::uint32_t>(v))
                                    : static_cast<std::int64_t>(v);
      on_key(key);
      ++events;
    }
    carry.erase(carry.begin(), carry.begin() + static_cast<std::ptrdiff_t>(i));
  });
  if (!carry.empty()) throw std::runtime_error("trailing partial key in " + path);
  return events;
}

}  // namespace cryptodash::bench
