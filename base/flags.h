// Command-line parsing that treats every mistake as a usage error: an unknown flag or a
// value that does not parse prints one line and exits with status 2 (Abseil alone exits
// with 1, the status this project keeps for data errors). Then absl::ParseCommandLine.
// Abseil's usage flags (--help, --helpfull, --helpon=..., --version) pass through to it:
// it prints the help and exits, with its own status 1.
//
//   int main(int argc, char** argv) {
//     std::vector<char*> args = nmt::ParseFlagsOrExit(argc, argv);
//
// Exit statuses of every binary: 0 success, 1 a data or runtime error (a missing or
// malformed file, a failed write), 2 a usage error (flags, config values).
#ifndef NMT_BASE_FLAGS_H_
#define NMT_BASE_FLAGS_H_

#include <string>
#include <vector>

namespace nmt {

inline constexpr int kExitDataError = 1;
inline constexpr int kExitUsageError = 2;

// The first problem with argv's flags ("" when none): an unknown flag, or a value its
// flag cannot parse. Arguments after a bare "--" are not flags.
std::string FirstFlagError(int argc, char** argv);

// FirstFlagError, exiting with kExitUsageError on a problem, then absl::ParseCommandLine.
std::vector<char*> ParseFlagsOrExit(int argc, char** argv);

}  // namespace nmt

#endif  // NMT_BASE_FLAGS_H_
