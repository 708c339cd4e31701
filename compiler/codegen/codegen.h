// SPDX-License-Identifier: Apache-2.0
// Code generation: the lowered module optimised with LLVM's O2 pipeline (a short one for a JIT
// policy of thousands of rules: see Selector), then either run in this process through ORC LLJIT or
// emitted as a self-contained shared object. LLVM stays behind this header: callers get an
// evaluator function pointer or a file.
#ifndef CORDON_COMPILER_CODEGEN_CODEGEN_H_
#define CORDON_COMPILER_CODEGEN_CODEGEN_H_

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/abi/abi.h"
#include "runtime/base/error_or.h"
#include "runtime/ir/ir.h"

namespace cordon::codegen {

// Above this many rules, the JIT compiles for compile time (see Selector).
inline constexpr size_t kFastCodegenRules = 2000;

// By default a policy of at least twice this many chunks of rules (lower::ChunkCount) is
// compiled on one thread per core (at most kMaxJitThreads), each with at least this many chunks.
inline constexpr uint32_t kChunksPerJitThread = 8;
inline constexpr uint32_t kMaxJitThreads = 8;

// How the JIT compiles. kFull: the O2 pipeline and LLVM's full instruction selector. kFast: five
// function passes (SROA, EarlyCSE, SimplifyCFG, InstCombine, SimplifyCFG) and the fast selector
// (LLVM's -O0 code generator), for a policy of thousands of rules, which waits mostly for
// instruction selection and O2's InstCombine and value propagation: several times faster to
// compile, for slower code. The AOT .so is always kFull.
enum class Selector { kAuto, kFast, kFull };  // kAuto: kFast above kFastCodegenRules rules

struct JitOptions {
  Selector selector = Selector::kAuto;
  // The threads to compile on, each lowering, optimising and compiling its share of the chunks
  // as a module of its own (never more than there are chunks); 0 chooses as described above.
  uint32_t threads = 0;
};

// A policy compiled in this process. Owns the JIT; the evaluator is valid while it lives.
class JitPolicy {
 public:
  static auto Compile(const ir::Program& program, const JitOptions& options = {})
      -> ErrorOr<std::unique_ptr<JitPolicy>>;
  ~JitPolicy();
  JitPolicy(const JitPolicy&) = delete;
  auto operator=(const JitPolicy&) -> JitPolicy& = delete;

  auto eval() const -> cordon_abi_eval_fn { return eval_; }

 private:
  struct Impl;
  JitPolicy();
  std::unique_ptr<Impl> impl_;
  cordon_abi_eval_fn eval_ = nullptr;
};

// The LLVM IR of the evaluator, optimised or not, for `cordon compile --phase=llvm`.
auto PrintLlvm(const ir::Program& program, bool optimize) -> ErrorOr<std::string>;

// Writes a shared object exporting only the descriptor `cordon_policy_v1` (runtime/abi/abi.h),
// linked in process by lld with no undefined symbols.
struct Unit {};
auto WriteSharedObject(const ir::Program& program, const std::string& path) -> ErrorOr<Unit>;

}  // namespace cordon::codegen

#endif  // CORDON_COMPILER_CODEGEN_CODEGEN_H_
