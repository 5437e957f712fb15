// Result<T>: a value or an Error. Status: success or an Error.
//
// Small on purpose (C++20 has no std::expected); every fallible function in
// cordon returns one of these, marked [[nodiscard]].
#pragma once

#include <optional>
#include <utility>
#include <variant>

#include "common/error.h"

namespace cordon {

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const { return !error_.has_value(); }
  [[nodiscard]] const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error e) : v_(std::move(e)) {}      // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
  [[nodiscard]] T& value() & { return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }
  [[nodiscard]] Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace cordon

// Propagates a failed Status/Result out of the enclosing function.
#define CORDON_RETURN_IF_ERROR(expr)                         \
  do {                                                       \
    auto cordon_status_ = (expr);                            \
    if (!cordon_status_.ok()) return cordon_status_.error(); \
  } while (0)
