// SPDX-License-Identifier: Apache-2.0
// The lowerer on a program it cannot compile: a value of an op and kind it has no code for must
// refuse the whole policy with a message, never lower to `false` (a rule that silently never
// fires). Programs from the checker never hold one; the test makes one by hand.
#include "compiler/lower/lower.h"

#include <gtest/gtest.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "compiler/frontend/frontend.h"

namespace cordon::lower {
namespace {

auto Compile(const std::string& text) -> ir::Program {
  frontend::SourceStore sources;
  CollectingConsumer consumer;
  DiagnosticEmitter emitter(consumer);
  auto checked = frontend::CheckText("/test/policy.cordon", text, sources, emitter);
  EXPECT_TRUE(checked.ok() && *checked);
  return std::move(**checked);
}

TEST(Lower, RefusesAnOpItCannotCompileInsteadOfLoweringItToFalse) {
  ir::Program program = Compile(R"(outcomes a > b
input Request { as_of: date  destination: country }
rule r when request.destination in {CN, MO} then a "m")");
  {
    llvm::LLVMContext context;
    EXPECT_TRUE(Lower(program, context, {}).ok());
  }
  // `in` over a set the lowerer has no code for.
  bool changed = false;
  for (ir::Value& v : program.values) {
    if (v.op == ir::Op::kIn) {
      program.values[v.b].kind = ir::Kind::kNumber;
      changed = true;
    }
  }
  ASSERT_TRUE(changed);
  llvm::LLVMContext context;
  ErrorOr<std::unique_ptr<llvm::Module>> module = Lower(program, context, {});
  ASSERT_FALSE(module.ok());
  EXPECT_NE(module.error().message.find("the evaluator cannot compile value v"), std::string::npos)
      << module.error().message;
}

}  // namespace
}  // namespace cordon::lower
