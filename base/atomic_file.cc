#include "base/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nmt {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  const int error = errno;  // before anything else can overwrite it
  return absl::ErrnoToStatus(error, absl::StrCat(what, " ", path));
}

// Closes a descriptor on every exit path; Close() reports the error of an explicit close.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  // close() can report a delayed write error (NFS), so its result matters.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status WriteAll(int fd, absl::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("writing", path);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return absl::OkStatus();
}

// The suffix mkstemp replaces; temporary files are "<path>.tmp.XXXXXX".
constexpr absl::string_view kTemporarySuffix = ".tmp.XXXXXX";
constexpr size_t kRandomCharacters = 6;

// Is `name` one of `base`'s temporary files?
bool IsTemporaryOf(absl::string_view name, absl::string_view base) {
  const absl::string_view stem = kTemporarySuffix.substr(0, kTemporarySuffix.size() - kRandomCharacters);
  if (name.size() != base.size() + kTemporarySuffix.size() || !absl::StartsWith(name, base) ||
      name.substr(base.size(), stem.size()) != stem) {
    return false;
  }
  for (char c : name.substr(name.size() - kRandomCharacters)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Writes and fsyncs the temporary file; the caller removes it if this fails.
absl::Status WriteAndSync(FileDescriptor& file, absl::string_view bytes, const std::string& temp) {
  // mkstemp creates 0600; a checkpoint should be as readable as any other output.
  if (::fchmod(file.get(), 0644) != 0) return ErrnoError("chmod", temp);
  if (absl::Status s = WriteAll(file.get(), bytes, temp); !s.ok()) return s;
  if (::fsync(file.get()) != 0) return ErrnoError("fsync", temp);
  if (!file.Close()) return ErrnoError("closing", temp);
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes) {
  std::string temp = absl::StrCat(path, kTemporarySuffix);
  std::vector<char> name(temp.begin(), temp.end());
  name.push_back('\0');
  FileDescriptor file(::mkstemp(name.data()));
  if (file.get() < 0) return ErrnoError("creating a temporary file for", path);
  temp.assign(name.data());

  absl::Status status = WriteAndSync(file, bytes, temp);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoError(absl::StrCat("renaming ", temp, " to"), path);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }

  // The rename is durable only once the directory entry itself reaches the disk.
  const std::string directory = DirectoryOf(path);
  FileDescriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return ErrnoError("opening directory", directory);
  if (::fsync(dir.get()) != 0) return ErrnoError("fsync of directory", directory);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> RemoveStaleTemporaries(const std::string& path) {
  const std::string directory = DirectoryOf(path);
  const size_t slash = path.rfind('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::vector<std::string> removed;
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return removed;
    return ErrnoError("opening directory", directory);
  }
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    if (IsTemporaryOf(entry->d_name, base)) stale.push_back(absl::StrCat(directory, "/", entry->d_name));
  }
  ::closedir(dir);
  for (const std::string& temp : stale) {
    if (::unlink(temp.c_str()) != 0) {
      if (errno == ENOENT) continue;
      return ErrnoError("removing", temp);
    }
    removed.push_back(temp);
  }
  return removed;
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return ErrnoError("opening", path);
  std::string contents;
  char buffer[1 << 16];
  while (true) {
    const ssize_t got = ::read(file.get(), buffer, sizeof(buffer));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("reading", path);
    }
    if (got == 0) break;
    contents.append(buffer, static_cast<size_t>(got));
  }
  return contents;
}

}  // namespace nmt
