#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace cryptodash::api {

/// A Beast response body that either owns its text or shares immutable bytes owned elsewhere
/// (a cached entry's payload): the hot path sends a cached JSON without copying it.
struct shared_body {
  class value_type {
   public:
    value_type() = default;
    value_type(std::string text) : owned_(std::move(text)) {}  // NOLINT: implicit by design
    value_type& operator=(std::string text) {
      owned_ = std::move(text);
      holder_.reset();
      shared_ = {};
      return *this;
    }

    /// Sends `bytes`, kept alive by `holder`, instead of an owned string.
    void share(std::shared_ptr<const void> holder, std::string_view bytes) {
      owned_.clear();
      holder_ = std::move(holder);
      shared_ = bytes;
    }

    /// Sends `bytes` that live for the whole program (a static document).
    void share_static(std::string_view bytes) {
      share(std::shared_ptr<const void>(std::shared_ptr<const void>(), bytes.data()), bytes);
    }

    std::string_view view() const noexcept {
      return holder_ ? shared_ : std::string_view(owned_);
    }
    operator std::string_view() const noexcept { return view(); }  // NOLINT
    std::size_t size() const noexcept { return view().size(); }
    bool empty() const noexcept { return size() == 0; }
    void clear() noexcept {
      owned_.clear();
      holder_.reset();
      shared_ = {};
    }

    friend bool operator==(const value_type& a, std::string_view b) noexcept {
      return a.view() == b;
    }
    friend std::ostream& operator<<(std::ostream& os, const value_type& v) {
      return os << v.view();
    }

   private:
    std::string owned_;
    std::shared_ptr<const void> holder_;
    std::string_view shared_;
  };

  static std::uint64_t size(const value_type& v) noexcept { return v.size(); }

  /// Serializes the body in one buffer.
  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& v)
        : body_(v) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      if (done_) return boost::none;
      done_ = true;
      auto v = body_.view();
      return std::make_pair(const_buffers_type(v.data(), v.size()), false);
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

}  // namespace cryptodash::api
