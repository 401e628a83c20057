// The main of a fuzz target outside the fuzz build (bazel/fuzz.bzl): runs
// LLVMFuzzerTestOneInput once on every file named on the command line, and on every file
// under a named directory (in sorted order), as a libFuzzer binary does when given files.
// So the seed corpus of each target replays as an ordinary test with any compiler, and
// a crash found by the fuzzer reproduces here too:
//
//   bazel-bin/datasets/vocabulary_fuzzer datasets/testdata/fuzz/vocabulary_fuzzer/crash-1
//
// Each input is copied into a buffer of exactly its size, as libFuzzer does, so that a
// sanitizer build catches a read past its end.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

// The files `arg` names: itself, or every regular file under it. False if it is neither.
bool CollectInputs(const std::string& arg, std::vector<std::string>& inputs) {
  std::error_code error;
  if (std::filesystem::is_regular_file(arg, error)) {
    inputs.push_back(arg);
    return true;
  }
  if (!std::filesystem::is_directory(arg, error)) return false;
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, error)) {
    if (entry.is_regular_file()) found.push_back(entry.path().string());
  }
  if (error) return false;
  std::sort(found.begin(), found.end());
  inputs.insert(inputs.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!CollectInputs(argv[i], inputs)) {
      std::cerr << argv[0] << ": " << argv[i] << " is neither a file nor a directory\n";
      return 2;
    }
  }
  if (inputs.empty()) {
    std::cerr << "usage: " << argv[0] << " FILE_OR_DIRECTORY...: runs the fuzz target on each input; none given\n";
    return 2;
  }
  for (const std::string& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "cannot read " << path << "\n";
      return 2;
    }
    // Printed first, so that the last line before a crash names the input.
    std::cout << "input " << path << " (" << bytes.size() << " bytes)" << std::endl;
    auto copy = std::make_unique<uint8_t[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), copy.get());
    LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  }
  std::cout << "replayed " << inputs.size() << " inputs\n";
  return 0;
}
