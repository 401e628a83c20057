// Helpers for fuzz targets (bazel/fuzz.bzl) whose code under test reads files by path.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     const std::string& path = nmt::WriteFuzzInputFile("vocab", nmt::FuzzBytes(data, size));
//     (void)nmt::datasets::Vocabulary::Load(path);
//     return 0;
//   }
#ifndef NMT_BASE_FUZZ_TESTING_H_
#define NMT_BASE_FUZZ_TESTING_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace nmt {

// The fuzz input as bytes.
inline absl::string_view FuzzBytes(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// Writes `bytes` to this process's file for `tag` (in $TEST_TMPDIR, else /dev/shm, else
// /tmp; the same path on every call) and returns its path. The files are removed at exit.
// Aborts if the file cannot be written: a fuzz target that silently tested nothing would
// report a clean run.
const std::string& WriteFuzzInputFile(absl::string_view tag, absl::string_view bytes);

}  // namespace nmt

#endif  // NMT_BASE_FUZZ_TESTING_H_
