#include "base/flags.h"

#include <cstdio>
#include <cstdlib>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace nmt {
namespace {

// Abseil's own usage flags (absl/flags/usage_config.h): absl::ParseCommandLine handles
// them (prints the help and exits) though FindCommandLineFlag does not know them.
bool IsAbslUsageFlag(absl::string_view name) {
  for (absl::string_view usage :
       {"help", "helpfull", "helpshort", "helppackage", "version", "only_check_args", "helpon", "helpmatch"}) {
    if (name == usage) return true;
  }
  return false;
}

}  // namespace

std::string FirstFlagError(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::StartsWith(arg, "-") || arg == "-") continue;
    arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    if (IsAbslUsageFlag(name)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) {
      // --noNAME sets the bool flag NAME to false, and takes no value.
      absl::CommandLineFlag* positive =
          absl::StartsWith(name, "no") ? absl::FindCommandLineFlag(name.substr(2)) : nullptr;
      if (positive != nullptr && positive->IsOfType<bool>() && equals == absl::string_view::npos) continue;
      return absl::StrCat("unknown flag --", name, " (--help lists the flags)");
    }
    if (flag->IsRetired()) continue;
    absl::string_view value;
    if (equals != absl::string_view::npos) {
      value = arg.substr(equals + 1);
    } else if (flag->IsOfType<bool>()) {
      continue;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("--", name, " needs a value");
    }
    // Parse into a copy of the flag's current state: nothing is set here.
    const std::string current = flag->CurrentValue();
    std::string error;
    const bool ok = flag->ParseFrom(value, &error);
    std::string ignored;
    flag->ParseFrom(current, &ignored);
    if (!ok) return absl::StrCat("--", name, "=", value, ": ", error);
  }
  return "";
}

std::vector<char*> ParseFlagsOrExit(int argc, char** argv) {
  if (const std::string error = FirstFlagError(argc, argv); !error.empty()) {
    std::fprintf(stderr, "usage error: %s\n", error.c_str());
    std::exit(kExitUsageError);
  }
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace nmt
