// NMT_RETURN_IF_ERROR and NMT_ASSIGN_OR_RETURN: early returns for code that reports
// errors as absl::Status (Debian's Abseil 20220623 ships neither macro).
//
//   absl::StatusOr<Config> LoadConfig(const std::string& path) {
//     NMT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));  // declares `text`
//     NMT_RETURN_IF_ERROR(CheckHeader(text));
//     NMT_ASSIGN_OR_RETURN(const auto* entry, index.Find("config"));  // any declaration
//     NMT_ASSIGN_OR_RETURN(config_, Parse(text));                      // or an existing lvalue
//     ...
//   }
//
// Both work in functions returning absl::Status or absl::StatusOr<T>, and return the
// error unchanged. NMT_ASSIGN_OR_RETURN expands to several statements, so it cannot be the
// whole body of an unbraced if or for; `lhs` cannot contain an unparenthesised comma (use
// `auto` or an alias instead of `std::pair<A, B> x`); and at most one may stand on a line.
#ifndef NMT_BASE_STATUS_MACROS_H_
#define NMT_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) once and returns it if it is not OK.
#define NMT_RETURN_IF_ERROR(expr)                                                             \
  do {                                                                                        \
    if (::absl::Status nmt_status_macros_status_ = (expr); !nmt_status_macros_status_.ok()) { \
      return nmt_status_macros_status_;                                                       \
    }                                                                                         \
  } while (false)

// Evaluates `expr` (an absl::StatusOr<T>) once; returns its status if it is not OK,
// else moves its value into `lhs`, a declaration or an assignable expression.
#define NMT_ASSIGN_OR_RETURN(lhs, expr) \
  NMT_STATUS_MACROS_ASSIGN_OR_RETURN_(NMT_STATUS_MACROS_CONCAT_(nmt_status_macros_or_, __LINE__), lhs, expr)

// Implementation details of the macros above.
#define NMT_STATUS_MACROS_ASSIGN_OR_RETURN_(statusor, lhs, expr) \
  auto statusor = (expr);                                        \
  if (!statusor.ok()) return std::move(statusor).status();       \
  lhs = *std::move(statusor)
#define NMT_STATUS_MACROS_CONCAT_(a, b) NMT_STATUS_MACROS_CONCAT_INNER_(a, b)
#define NMT_STATUS_MACROS_CONCAT_INNER_(a, b) a##b

#endif  // NMT_BASE_STATUS_MACROS_H_
