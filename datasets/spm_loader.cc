// Finds and loads libspm_bridge.so (see sentencepiece_bridge.h for why it is a
// separate, deep-bound library).
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "datasets/sentencepiece_bridge.h"

namespace nmt::datasets::internal {
namespace {

constexpr char kRunfilesPath[] = "/nmt/datasets/libspm_bridge.so";

// AddressSanitizer refuses RTLD_DEEPBIND: a deep-bound library would bind to libc's
// malloc and free rather than ASan's (google/sanitizers#611; ASan's dlopen aborts). So an
// ASan build loads the bridge without deep binding, which is safe only while libprotobuf
// is not in the process: otherwise libsentencepiece's own protobuf would bind to
// libprotobuf's symbols. The datasets tests and fuzzers do not link libprotobuf; in ASan
// builds of programs that do (the trainer, translate), SentencePiece is unavailable,
// with an error that says why.
#if defined(__SANITIZE_ADDRESS__)
#define NMT_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NMT_ADDRESS_SANITIZER 1
#endif
#endif

#ifdef NMT_ADDRESS_SANITIZER
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL;

bool LibprotobufLoaded() {
  return dl_iterate_phdr(
             [](dl_phdr_info* info, size_t, void*) {
               return info->dlpi_name != nullptr && std::strstr(info->dlpi_name, "/libprotobuf.so") != nullptr ? 1 : 0;
             },
             nullptr) != 0;
}
#else
constexpr int kDlopenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND;
#endif

std::vector<std::string> Candidates() {
  std::vector<std::string> paths;
  if (const char* explicit_path = std::getenv("NMT_SPM_BRIDGE")) paths.push_back(explicit_path);
  for (const char* variable : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* dir = std::getenv(variable)) paths.push_back(std::string(dir) + kRunfilesPath);
  }
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    const std::string self(exe, n);
    paths.push_back(self + ".runfiles" + kRunfilesPath);
    paths.push_back(self.substr(0, self.rfind('/')) + "/libspm_bridge.so");
  }
  return paths;
}

struct Loaded {
  const SpmBridge* bridge = nullptr;
  std::string error;
};

Loaded Load() {
  Loaded loaded;
#ifdef NMT_ADDRESS_SANITIZER
  if (LibprotobufLoaded()) {
    loaded.error =
        "unavailable in an AddressSanitizer build of a program that links libprotobuf (ASan refuses the "
        "RTLD_DEEPBIND that keeps SentencePiece's own protobuf apart from it; see spm_loader.cc)";
    return loaded;
  }
#endif
  std::string tried;
  for (const std::string& path : Candidates()) {
    void* handle = dlopen(path.c_str(), kDlopenFlags);
    if (handle == nullptr) {
      tried += "\n  " + path + ": " + dlerror();
      continue;
    }
    using Entry = const SpmBridge* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "NmtSentencePieceBridge"));
    if (entry != nullptr) {
      loaded.bridge = entry();  // never closed: models and their deleters live in it
      return loaded;
    }
    tried += "\n  " + path + ": no NmtSentencePieceBridge symbol";
  }
  loaded.error = "cannot load libspm_bridge.so (set NMT_SPM_BRIDGE to its path); tried:" + tried;
  return loaded;
}

}  // namespace

const SpmBridge* LoadSpmBridge(std::string& error) {
  static std::once_flag once;
  static Loaded* loaded = nullptr;  // the dlopen handle is process-wide by nature
  std::call_once(once, [] { loaded = new Loaded(Load()); });
  error = loaded->error;
  return loaded->bridge;
}

}  // namespace nmt::datasets::internal
