// SPDX-License-Identifier: Apache-2.0
// LinkCompiler for libcordon.so: opens libcordon-compiler.so once, on first use. It is looked for
// at $CORDON_COMPILER_LIBRARY, then beside libcordon.so (as installed), then where the dynamic
// linker looks. Without it, rule files cannot be checked, and the message says which component
// to install; compiled policies (.so) and bundles never need it.
#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/engine/compiler_link.h"
#include "runtime/ir/serialize.h"

namespace cordon::runtime {
namespace {

struct Opened {
  const cordon_compiler_api* api = nullptr;
  Error error;
};

auto Open() -> Opened {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("CORDON_COMPILER_LIBRARY"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);
  } else {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&LinkCompiler), &info) != 0 && info.dli_fname != nullptr) {
      std::filesystem::path beside =
          std::filesystem::path(info.dli_fname).parent_path() / CORDON_COMPILER_SONAME;
      std::error_code ec;
      if (std::filesystem::exists(beside, ec)) candidates.push_back(beside.string());
    }
    candidates.emplace_back(CORDON_COMPILER_SONAME);
  }
  std::string tried;
  for (const std::string& path : candidates) {
    // RTLD_LOCAL: the compiler's LLVM stays out of the host's symbol namespace.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      tried += fmt::format("\n  {}: {}", path, why == nullptr ? "cannot be opened" : why);
      continue;
    }
    auto entry = reinterpret_cast<cordon_compiler_entry_fn>(dlsym(handle, CORDON_COMPILER_SYMBOL));
    if (entry == nullptr) {
      dlclose(handle);
      tried += fmt::format("\n  {}: has no `{}`: not a Cordon compiler library", path,
                           CORDON_COMPILER_SYMBOL);
      continue;
    }
    const cordon_compiler_api* api = entry();
    if (api == nullptr) {
      dlclose(handle);
      tried += fmt::format("\n  {}: gave no interface", path);
      continue;
    }
    if (std::optional<Error> wrong = CheckCompiler(*api, CORDON_VERSION_STRING, path)) {
      dlclose(handle);
      return Opened{.error = *wrong};
    }
    return Opened{.api = api};  // kept open for the life of the process
  }
  return Opened{
      .error = Error{fmt::format("rule files need the Cordon compiler (component `compiler`, "
                                 "{}), which is not installed here; a compiled policy (.so, from "
                                 "`cordon compile -o`) or a bundle (`cordon compile --bundle`) "
                                 "needs only this runtime. Tried:{}",
                                 CORDON_COMPILER_SONAME, tried),
                     ErrorKind::kNoCompiler}};
}

}  // namespace

auto LinkCompiler() -> ErrorOr<const cordon_compiler_api*> {
  static const Opened opened = Open();  // once: a failed open is not retried per engine
  if (opened.api == nullptr) return opened.error;
  return opened.api;
}

}  // namespace cordon::runtime
