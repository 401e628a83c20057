// NMT_CHECK: the one assertion macro for programmer errors (Debian's Abseil has no absl/log).
//
//   NMT_CHECK(a.shape() == b.shape()) << "Add: shapes " << a.ShapeString() << " and " << b.ShapeString();
//
// On failure it prints "file:line: check failed: <condition>: <message>" to stderr and aborts.
// Errors that users can cause (files, flags, data) are absl::Status instead, never a CHECK.
#ifndef NMT_BASE_CHECK_H_
#define NMT_BASE_CHECK_H_

#include <sstream>

namespace nmt::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition);
  [[noreturn]] ~CheckFailure();
  std::ostream& stream() { return message_; }

 private:
  std::ostringstream message_;
};

// Lets `NMT_CHECK(x) << ...` be an expression of type void in both branches of ?:.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace nmt::internal

#define NMT_CHECK(condition) \
  (condition) ? (void)0      \
              : ::nmt::internal::Voidify() & ::nmt::internal::CheckFailure(__FILE__, __LINE__, #condition).stream()

#endif  // NMT_BASE_CHECK_H_
