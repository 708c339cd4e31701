// SPDX-License-Identifier: Apache-2.0
// Lowering: a checked ir::Program to an LLVM module with one evaluator function, following the
// reference interpreter operation for operation (same evaluation order, same short-circuits,
// same errors). Only lower.cpp and compiler/codegen include LLVM headers; callers see this
// pimpl-free interface taking the context and module by reference.
#ifndef CORDON_COMPILER_LOWER_LOWER_H_
#define CORDON_COMPILER_LOWER_LOWER_H_

#include <memory>
#include <string>

#include "runtime/base/error_or.h"
#include "runtime/ir/ir.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace cordon::lower {

struct LowerOptions {
  // Embed the serialised program and export the descriptor (an AOT .so needs them; the JIT
  // keeps the Program in memory and only looks up the evaluator). Only with parts == 1.
  bool embed_program = true;
  // A large policy is lowered as `parts` modules, each in its own LLVMContext, so that they can
  // be optimised and compiled on several threads and linked together. Part `part` holds its
  // share of the chunks of rules (external, so the others can call them); part 0 also holds
  // the evaluator, which calls every chunk.
  uint32_t part = 0;
  uint32_t parts = 1;
  // Arithmetic that several rules of a chunk compute (a density, say) is computed once per
  // evaluation and kept for the others. The code is faster (BM_Eval10kRules 140 -> 55 us) and
  // the optimiser slower (the 10,000-rule JIT 8.5 -> 11.4 s), so the JIT leaves it out where it
  // also trades code speed for compile time (the fast instruction selector).
  bool share_arithmetic = true;
};

// How many chunk functions the rules are lowered into: the most parts worth making.
auto ChunkCount(const ir::Program& program) -> uint32_t;

inline constexpr const char* kEvalSymbol = "cordon_eval";
// The functions the rules are lowered into, in chunks (cordon_rules_0, …), called by the evaluator.
inline constexpr const char* kChunkPrefix = "cordon_rules_";

// Builds the module: `cordon_eval` (see runtime/abi/abi.h), the helpers it needs, and with
// embed_program the descriptor `cordon_policy_v1`. Fails only for an IR the checker should
// never produce (reported, never a crash).
auto Lower(const ir::Program& program, llvm::LLVMContext& context, const LowerOptions& options)
    -> ErrorOr<std::unique_ptr<llvm::Module>>;

}  // namespace cordon::lower

#endif  // CORDON_COMPILER_LOWER_LOWER_H_
