#include "base/fuzz_testing.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace nmt {
namespace {

std::string TempDirectory() {
  if (const char* dir = std::getenv("TEST_TMPDIR"); dir != nullptr && *dir != '\0') return dir;
  if (access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return "/tmp";
}

// tag -> path; never destroyed, so that the atexit handler can still read it.
std::map<std::string, std::string, std::less<>>& Files() {
  static auto* files = new std::map<std::string, std::string, std::less<>>;
  return *files;
}

void RemoveFiles() {
  for (const auto& [tag, path] : Files()) std::remove(path.c_str());
}

}  // namespace

const std::string& WriteFuzzInputFile(absl::string_view tag, absl::string_view bytes) {
  static std::once_flag once;
  std::call_once(once, [] { std::atexit(RemoveFiles); });
  auto it = Files().find(tag);
  if (it == Files().end()) {
    std::string path = TempDirectory() + "/nmt_fuzz_" + std::to_string(getpid()) + "_" + std::string(tag);
    it = Files().emplace(std::string(tag), std::move(path)).first;
  }
  const std::string& path = it->second;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  const bool written = file != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  if (file == nullptr || std::fclose(file) != 0 || !written) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace nmt
