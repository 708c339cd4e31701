// SPDX-License-Identifier: Apache-2.0
// The compiler as the runtime reaches it (runtime/abi/compiler_abi.h): checking rule files, the
// JIT and .so output over serialised programs. The same table serves the `cordon` command (linked
// in, linked.cpp) and libcordon-compiler.so (opened by libcordon.so). No exception leaves it.
#include "compiler/plugin/plugin.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/codegen/codegen.h"
#include "compiler/frontend/frontend.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/ir/serialize.h"

namespace cordon::plugin {
namespace {

auto Give(cordon_compiler_bytes& out, const void* data, size_t size) -> bool {
  out.data = static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : size));
  out.size = out.data == nullptr ? 0 : size;
  if (out.data != nullptr && size != 0) std::memcpy(out.data, data, size);
  return out.data != nullptr;
}

auto Fail(cordon_compiler_bytes& out, uint32_t status, const std::string& message) -> uint32_t {
  Give(out, message.data(), message.size());
  return status;
}

// Runs `body`, turning an exception into CORDON_COMPILER_FAILED with its message.
template <typename F>
auto Guard(cordon_compiler_bytes& message, F body) -> uint32_t {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(message, CORDON_COMPILER_FAILED, "the compiler ran out of memory");
  } catch (const std::exception& e) {
    return Fail(message, CORDON_COMPILER_FAILED,
                fmt::format("internal compiler error: {}", e.what()));
  } catch (...) {
    return Fail(message, CORDON_COMPILER_FAILED, "internal compiler error");
  }
}

auto Read(const uint8_t* program, uint64_t size, cordon_compiler_bytes& message)
    -> std::unique_ptr<ir::Program> {
  ErrorOr<ir::Program> read = ir::Deserialize(std::span<const uint8_t>(program, size));
  if (!read.ok()) {
    Fail(message, CORDON_COMPILER_FAILED,
         fmt::format("the runtime's program cannot be read: {}", read.error().message));
    return nullptr;
  }
  return std::make_unique<ir::Program>(std::move(*read));
}

auto Check(const cordon_compiler_check_args* args, cordon_compiler_bytes* out) -> uint32_t {
  return Guard(*out, [&]() -> uint32_t {
    std::vector<std::string> roots(args->roots, args->roots + args->root_count);
    check::CheckOptions options;
    options.module_path.assign(args->module_path, args->module_path + args->module_path_count);
    frontend::SourceStore sources;
    std::ostringstream rendered;
    ConsoleRenderer renderer(rendered);
    SortingConsumer sorter(renderer);
    DiagnosticEmitter emitter(sorter);
    ErrorOr<std::optional<ir::Program>> checked =
        frontend::CheckFiles(roots, options, sources, emitter);
    sorter.Flush();
    if (!checked.ok()) return Fail(*out, CORDON_COMPILER_IO, checked.error().message);
    if (!*checked) {
      std::string text = rendered.str();
      while (!text.empty() && text.back() == '\n') text.pop_back();
      return Fail(*out, CORDON_COMPILER_POLICY,
                  fmt::format("the policy has {} error(s):\n{}", emitter.error_count(), text));
    }
    std::vector<uint8_t> bytes = ir::Serialize(**checked);
    if (!Give(*out, bytes.data(), bytes.size())) throw std::bad_alloc();
    return CORDON_COMPILER_OK;
  });
}

// What a JIT handle owns: the program its code was compiled from, and the code.
struct Jit {
  std::unique_ptr<ir::Program> program;
  std::unique_ptr<codegen::JitPolicy> policy;
};

auto CompileJit(const uint8_t* program, uint64_t size, uint32_t selector, uint32_t threads,
                void** jit, cordon_abi_eval_fn* eval, cordon_compiler_bytes* message) -> uint32_t {
  return Guard(*message, [&]() -> uint32_t {
    auto handle = std::make_unique<Jit>();
    handle->program = Read(program, size, *message);
    if (handle->program == nullptr) return CORDON_COMPILER_FAILED;
    codegen::JitOptions options{
        .selector = selector == CORDON_COMPILER_SELECTOR_FAST   ? codegen::Selector::kFast
                    : selector == CORDON_COMPILER_SELECTOR_FULL ? codegen::Selector::kFull
                                                                : codegen::Selector::kAuto,
        .threads = threads};
    ErrorOr<std::unique_ptr<codegen::JitPolicy>> compiled =
        codegen::JitPolicy::Compile(*handle->program, options);
    if (!compiled.ok()) return Fail(*message, CORDON_COMPILER_FAILED, compiled.error().message);
    handle->policy = std::move(*compiled);
    *eval = handle->policy->eval();
    *jit = handle.release();
    return CORDON_COMPILER_OK;
  });
}

void FreeJit(void* jit) { delete static_cast<Jit*>(jit); }

auto WriteSharedObject(const uint8_t* program, uint64_t size, const char* path,
                       cordon_compiler_bytes* message) -> uint32_t {
  return Guard(*message, [&]() -> uint32_t {
    std::unique_ptr<ir::Program> read = Read(program, size, *message);
    if (read == nullptr) return CORDON_COMPILER_FAILED;
    ErrorOr<codegen::Unit> written = codegen::WriteSharedObject(*read, path);
    if (!written.ok()) return Fail(*message, CORDON_COMPILER_FAILED, written.error().message);
    return CORDON_COMPILER_OK;
  });
}

void FreeBytes(cordon_compiler_bytes* bytes) {
  if (bytes == nullptr) return;
  std::free(bytes->data);
  *bytes = cordon_compiler_bytes{};
}

constexpr cordon_compiler_api kApi{
    .struct_size = sizeof(cordon_compiler_api),
    .abi_version = CORDON_ABI_VERSION,
    .ir_format = ir::kFormat,
    .version = CORDON_VERSION_STRING,
    .check = Check,
    .jit = CompileJit,
    .jit_free = FreeJit,
    .write_shared_object = WriteSharedObject,
    .bytes_free = FreeBytes,
};

}  // namespace

auto Api() -> const cordon_compiler_api* { return &kApi; }

}  // namespace cordon::plugin
