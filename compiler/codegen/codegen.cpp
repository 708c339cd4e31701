// SPDX-License-Identifier: Apache-2.0
#include "compiler/codegen/codegen.h"

#include <fmt/format.h>
#include <lld/Common/Driver.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/Mangling.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/SmallVectorMemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/EarlyCSE.h>
#include <llvm/Transforms/Scalar/SROA.h>
#include <llvm/Transforms/Scalar/SimplifyCFG.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "compiler/lower/lower.h"
#include "runtime/abi/abi.h"
#include "runtime/ir/serialize.h"

LLD_HAS_DRIVER(elf)

// The compiler runtime's 128-bit division (libgcc), which the JIT's code calls.
extern "C" {
__int128 __divti3(__int128, __int128);
__int128 __modti3(__int128, __int128);
unsigned __int128 __udivti3(unsigned __int128, unsigned __int128);
unsigned __int128 __umodti3(unsigned __int128, unsigned __int128);
}

namespace cordon::codegen {
namespace {

void InitializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

auto ToError(llvm::Error error, std::string_view what) -> Error {
  return Error{fmt::format("{}: {}", what, llvm::toString(std::move(error)))};
}

// PIC, the host's CPU baseline (x86-64, not -march=native: a .so must run on other machines).
auto MakeTargetMachine() -> ErrorOr<std::unique_ptr<llvm::TargetMachine>> {
  InitializeTargets();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string problem;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, problem);
  if (target == nullptr) return Error{"no LLVM target for " + triple + ": " + problem};
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, "x86-64", "", options, llvm::Reloc::PIC_, std::nullopt,
                                  llvm::CodeGenOptLevel::Default));
  if (!machine) return Error{"cannot create a target machine for " + triple};
  return machine;
}

// O2, or with `fast` a short function pipeline: the rules' code needs its allocas promoted,
// repeated loads and compares merged and its branches folded, and little else. On a
// 5,000-rule part O1 took 3.9 s, 1.6 of them in InstCombine's four runs and 1.0 in module-wide
// constant and call propagation; this takes 0.6 s and yields the same code size.
void Optimize(llvm::Module& module, llvm::TargetMachine* machine, bool fast = false) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager passes;
  if (fast) {
    llvm::FunctionPassManager functions;
    functions.addPass(llvm::SROAPass(llvm::SROAOptions::ModifyCFG));
    functions.addPass(llvm::EarlyCSEPass());
    functions.addPass(llvm::SimplifyCFGPass());
    functions.addPass(llvm::InstCombinePass());
    functions.addPass(llvm::SimplifyCFGPass());
    passes.addPass(llvm::createModuleToFunctionPassAdaptor(std::move(functions)));
  } else {
    passes = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  }
  passes.run(module, mam);
}

auto LowerFor(const ir::Program& program, llvm::LLVMContext& context, llvm::TargetMachine* machine,
              lower::LowerOptions options) -> ErrorOr<std::unique_ptr<llvm::Module>> {
  ErrorOr<std::unique_ptr<llvm::Module>> module = lower::Lower(program, context, options);
  if (!module.ok()) return module;
  if (machine != nullptr) {
    (*module)->setDataLayout(machine->createDataLayout());
    (*module)->setTargetTriple(machine->getTargetTriple().str());
  }
  return module;
}

}  // namespace

struct JitPolicy::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

JitPolicy::JitPolicy() : impl_(std::make_unique<Impl>()) {}
JitPolicy::~JitPolicy() = default;

namespace {

// Lowers part `part` of `parts` (lower::LowerOptions) in a context of its own, optimises it and
// compiles it to an object in memory: what one thread of a JIT compile does.
auto CompilePart(const ir::Program& program, llvm::TargetMachine& machine, uint32_t part,
                 uint32_t parts, bool fast) -> ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> {
  llvm::LLVMContext context;
  ErrorOr<std::unique_ptr<llvm::Module>> module =
      LowerFor(program, context, &machine,
               {.embed_program = false, .part = part, .parts = parts, .share_arithmetic = !fast});
  if (!module.ok()) return module.error();
  Optimize(**module, &machine, fast);
  llvm::SmallVector<char, 0> bytes;
  {
    llvm::raw_svector_ostream out(bytes);
    llvm::legacy::PassManager passes;
    if (machine.addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      return Error{"the JIT's target cannot emit object files"};
    }
    passes.run(**module);
  }
  return std::unique_ptr<llvm::MemoryBuffer>(std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(bytes), fmt::format("cordon-part-{}", part), false));
}

}  // namespace

auto JitPolicy::Compile(const ir::Program& program, const JitOptions& options)
    -> ErrorOr<std::unique_ptr<JitPolicy>> {
  const Selector selector = options.selector;
  InitializeTargets();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return ToError(jtmb.takeError(), "cannot detect the host for the JIT");
  bool fast = selector == Selector::kFast ||
              (selector == Selector::kAuto && program.rules.size() > kFastCodegenRules);
  jtmb->setCodeGenOptLevel(fast ? llvm::CodeGenOptLevel::None : llvm::CodeGenOptLevel::Default);
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*jtmb).create();
  if (!jit) return ToError(jit.takeError(), "cannot start the JIT");
  // A large policy is compiled in parts, one per core, each in its own context and thread:
  // optimisation and instruction selection are nearly all of its compile time.
  const uint32_t chunks = lower::ChunkCount(program);
  uint32_t parts = std::min(options.threads, chunks);
  if (options.threads == 0) {
    parts = std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1, kMaxJitThreads);
    parts = std::clamp<uint32_t>(chunks / kChunksPerJitThread, 1, parts);
  }
  std::vector<std::unique_ptr<llvm::TargetMachine>> machines;
  for (uint32_t p = 0; p < parts; ++p) {
    auto machine = jtmb->createTargetMachine();
    if (!machine) return ToError(machine.takeError(), "cannot create the JIT's target machine");
    machines.push_back(std::move(*machine));
  }
  std::vector<std::optional<ErrorOr<std::unique_ptr<llvm::MemoryBuffer>>>> objects(parts);
  {
    std::vector<std::thread> threads;
    auto compile = [&](uint32_t p) {
      objects[p].emplace(CompilePart(program, *machines[p], p, parts, fast));
    };
    for (uint32_t p = 1; p < parts; ++p) {
      try {
        threads.emplace_back(compile, p);
      } catch (const std::system_error&) {
        break;  // no more threads to be had: this one compiles what is left
      }
    }
    for (uint32_t p = 0; p < parts; ++p) {
      if (p == 0 || p > threads.size()) compile(p);
    }
    for (std::thread& t : threads) t.join();
  }
  // 128-bit division in the helpers calls the compiler runtime (__divti3, __modti3). Their
  // addresses are taken here, where this library was linked with them: a host that loaded
  // libcordon privately (Python's extensions, a JVM's native libraries) has them in no global
  // scope, and a search of the process alone failed to link every JIT engine there.
  {
    llvm::orc::MangleAndInterner mangle((*jit)->getExecutionSession(), (*jit)->getDataLayout());
    llvm::orc::SymbolMap runtime;
    auto add = [&](const char* name, auto* function) {
      runtime[mangle(name)] = llvm::orc::ExecutorSymbolDef(
          llvm::orc::ExecutorAddr::fromPtr(function), llvm::JITSymbolFlags::Exported);
    };
    add("__divti3", &__divti3);
    add("__modti3", &__modti3);
    add("__udivti3", &__udivti3);
    add("__umodti3", &__umodti3);
    if (llvm::Error e = (*jit)->getMainJITDylib().define(llvm::orc::absoluteSymbols(runtime))) {
      return ToError(std::move(e), "the JIT refused the compiler runtime's symbols");
    }
  }
  // Anything else the code calls (memcpy, memset) is the process's.
  (*jit)->getMainJITDylib().addGenerator(
      llvm::cantFail(llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
          (*jit)->getDataLayout().getGlobalPrefix())));
  for (std::optional<ErrorOr<std::unique_ptr<llvm::MemoryBuffer>>>& object : objects) {
    if (!object->ok()) return object->error();
    if (llvm::Error e = (*jit)->addObjectFile(std::move(**object))) {
      return ToError(std::move(e), "the JIT refused the compiled code");
    }
  }
  auto symbol = (*jit)->lookup(lower::kEvalSymbol);
  if (!symbol) return ToError(symbol.takeError(), "the JIT did not produce the evaluator");
  std::unique_ptr<JitPolicy> policy(new JitPolicy());
  policy->eval_ = symbol->toPtr<cordon_abi_eval_fn>();
  policy->impl_->jit = std::move(*jit);
  return policy;
}

auto PrintLlvm(const ir::Program& program, bool optimize) -> ErrorOr<std::string> {
  ErrorOr<std::unique_ptr<llvm::TargetMachine>> machine = MakeTargetMachine();
  if (!machine.ok()) return machine.error();
  llvm::LLVMContext context;
  ErrorOr<std::unique_ptr<llvm::Module>> module =
      LowerFor(program, context, machine->get(), {.embed_program = false});
  if (!module.ok()) return module.error();
  if (optimize) Optimize(**module, machine->get());
  std::string out;
  llvm::raw_string_ostream os(out);
  // Only the generated functions (the evaluator and its chunks of rules): the helpers are
  // inlined after optimisation, and the same for every policy before it.
  for (llvm::Function& f : **module) {
    if (!f.isDeclaration() &&
        (f.getName() == lower::kEvalSymbol || f.getName().starts_with(lower::kChunkPrefix))) {
      f.print(os);
    }
  }
  return out;
}

namespace {

// The trailer of abi.h: the whole file, code included, is checked before it is loaded.
auto AppendChecksum(const std::string& path) -> ErrorOr<Unit> {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return Error{fmt::format("cannot read back {}", path), ErrorKind::kIo};
  in.close();
  uint64_t sum = ir::Fnv1a(bytes);
  std::string trailer(CORDON_FILE_TRAILER_MAGIC);
  for (int i = 0; i < 8; ++i) trailer.push_back(static_cast<char>(sum >> (8 * i)));
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  out.close();
  if (!out) return Error{fmt::format("cannot write {}", path), ErrorKind::kIo};
  return Unit{};
}

}  // namespace

auto WriteSharedObject(const ir::Program& program, const std::string& path) -> ErrorOr<Unit> {
  ErrorOr<std::unique_ptr<llvm::TargetMachine>> machine = MakeTargetMachine();
  if (!machine.ok()) return machine.error();
  llvm::LLVMContext context;
  ErrorOr<std::unique_ptr<llvm::Module>> module =
      LowerFor(program, context, machine->get(), {.embed_program = true});
  if (!module.ok()) return module.error();
  Optimize(**module, machine->get());
  std::string object_path = path + ".o";
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(object_path, ec, llvm::sys::fs::OF_None);
    if (ec) return Error{fmt::format("cannot write {}: {}", object_path, ec.message())};
    llvm::legacy::PassManager passes;
    if ((*machine)->addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      return Error{"the target cannot emit object files"};
    }
    passes.run(**module);
  }
  // The compiler runtime (libgcc.a: __divti3, __modti3) is linked in statically and its symbols
  // kept local, so the .so needs nothing but what it contains.
  std::vector<const char*> args = {
      "ld.lld", "-shared", "--no-undefined", "--exclude-libs=ALL", "-z",
      "now",    "-o",      path.c_str(),     object_path.c_str(),  CORDON_LIBGCC};
  std::string messages;
  llvm::raw_string_ostream os(messages);
  lld::Result result = lld::lldMain(args, os, os, {{lld::Gnu, &lld::elf::link}});
  std::error_code ignored;
  std::filesystem::remove(object_path, ignored);
  if (result.retCode != 0) {
    return Error{fmt::format("linking {} failed: {}", path, messages)};
  }
  return AppendChecksum(path);
}

}  // namespace cordon::codegen
