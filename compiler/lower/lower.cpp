// SPDX-License-Identifier: Apache-2.0
#include "compiler/lower/lower.h"

#include <fmt/format.h>
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "runtime/abi/abi.h"
#include "runtime/abi/layout.h"
#include "runtime/base/rational.h"
#include "runtime/ir/serialize.h"

// The helper bitcode (compiler/lower/helpers.c), embedded at build time.
extern "C" const unsigned char cordon_helpers_bc[];
extern "C" const unsigned long cordon_helpers_bc_size;

namespace cordon::lower {

using abi::GetStructBounds;
using abi::LayoutRequest;
using abi::RequestLayout;
using abi::SlotLayout;
using abi::StructBounds;

namespace {

using llvm::BasicBlock;
using llvm::IRBuilder;
using llvm::Type;
using llvm::Value;

// A value in registers. `present` is null for a value that is always present.
struct Lowered {
  Value* present = nullptr;
  Value* a = nullptr;  // bool i1; number num i128; bits kinds i64; text pointer; set pointer
  Value* b = nullptr;  // number den i128; text size i64
};

class Lowerer {
 public:
  Lowerer(const ir::Program& program, llvm::LLVMContext& context, llvm::Module& module)
      : p_(program),
        ctx_(context),
        m_(module),
        b_(context),
        layout_(LayoutRequest(program)),
        key_slots_(ir::LookupKeySlots(program)),
        i1_(Type::getInt1Ty(context)),
        i8_(Type::getInt8Ty(context)),
        i16_(Type::getInt16Ty(context)),
        i32_(Type::getInt32Ty(context)),
        i64_(Type::getInt64Ty(context)),
        i128_(Type::getInt128Ty(context)),
        ptr_(llvm::PointerType::get(context, 0)) {
    cell_ty_ = llvm::StructType::create(context, {i128_, i128_, i64_, ptr_, i64_, ptr_, i8_},
                                        "cordon_abi_cell");
    env_ty_ = llvm::StructType::create(
        context, {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, ptr_}, "cordon_abi_env");
    rows_ty_ = llvm::StructType::create(context, {ptr_, i64_}, "cordon_abi_rows");
    shared_ty_ = llvm::StructType::get(context, {i128_, i128_, i32_});
    pair_ty_ = llvm::ArrayType::get(i128_, 2);
    result_ty_ =
        llvm::StructType::create(context, {i32_, i32_, i32_, i32_, i32_}, "cordon_abi_result");
  }

  auto Run(uint32_t part, uint32_t parts) -> std::string;
  bool share_arithmetic_ = true;
  auto LowerRules(uint32_t first, uint32_t last) -> std::string;
  auto layout() const -> const RequestLayout& { return layout_; }

 private:
  auto Int128Const(Int128 v) -> llvm::ConstantInt* {
    auto bits = static_cast<unsigned __int128>(v);
    uint64_t words[2] = {static_cast<uint64_t>(bits), static_cast<uint64_t>(bits >> 64)};
    return b_.getInt(llvm::APInt(128, words));
  }
  // Numbers sit at 8-byte alignment in requests, lists and table cells (Number is packed), so
  // an i128 is never loaded as if 16-aligned.
  auto CreateLoad(IRBuilder<>& b, Type* type, Value* at) -> llvm::LoadInst* {
    if (type == i128_) return b.CreateAlignedLoad(type, at, llvm::Align(8));
    return b.CreateLoad(type, at);
  }
  // The value of `kind` that stands where nothing was computed (a decision that fails first).
  auto Zero(ir::Kind kind) -> Lowered {
    switch (ir::PayloadOf(kind)) {
      case ir::Payload::kNumber:
        return Lowered{.a = Int128Const(0), .b = Int128Const(1)};
      case ir::Payload::kText:
        return Lowered{.a = llvm::ConstantPointerNull::get(ptr_), .b = b_.getInt64(0)};
      case ir::Payload::kSet:
        return Lowered{.a = llvm::ConstantPointerNull::get(ptr_)};
      case ir::Payload::kBits:
        break;
    }
    return Lowered{.a = kind == ir::Kind::kBool ? static_cast<Value*>(b_.getFalse())
                                                : static_cast<Value*>(b_.getInt64(0))};
  }
  // A number in a stack slot {num, den}, as the arithmetic helpers take it (helpers.c).
  auto Spill(const Lowered& v) -> Value* {
    Value* at = EntryAlloca(pair_ty_);
    b_.CreateStore(v.a, b_.CreateConstInBoundsGEP2_32(pair_ty_, at, 0, 0));
    b_.CreateStore(v.b, b_.CreateConstInBoundsGEP2_32(pair_ty_, at, 0, 1));
    return at;
  }
  auto Unspill(Value* at) -> Lowered {
    return Lowered{.a = b_.CreateLoad(i128_, b_.CreateConstInBoundsGEP2_32(pair_ty_, at, 0, 0)),
                   .b = b_.CreateLoad(i128_, b_.CreateConstInBoundsGEP2_32(pair_ty_, at, 0, 1))};
  }
  auto Helper(const char* name) -> llvm::Function* {
    llvm::Function* f = m_.getFunction(name);
    return f;
  }
  auto Eval(ir::ValueId id) -> Lowered;
  // The operands of a chain of `op` (kAnd or kOr), left to right.
  void FlattenLogic(ir::Op op, ir::ValueId id, std::vector<ir::ValueId>& terms) const;
  // Moves terms that are cheap (no table, no row, no text set) and cannot fail ahead of the
  // costly ones, within each run of terms that cannot fail. The answer is the same: every term
  // moved over is pure and cannot fail, and a cheap term reads no row or unwrapped value, so
  // it needs no guard that an earlier term provided. Only the compiled code reorders; the
  // interpreter keeps the rule's order, and the differential tests compare the two.
  void OrderTerms(std::vector<ir::ValueId>& terms);
  auto CanFail(ir::ValueId id) -> bool;
  auto IsCheap(ir::ValueId id) -> bool;
  auto EvalUncached(ir::ValueId id) -> Lowered;
  auto Unsupported(const ir::Value& v, ir::ValueId id) -> Lowered;
  // A text function through env.text_op: the runtime's ir::EvalText, as the interpreter's.
  auto TextFunction(const ir::Value& v, std::array<Lowered, 3> args) -> Lowered;
  std::string unsupported_;  // the first op that could not be compiled, if any
  auto Const(const ir::Datum& d, uint32_t index) -> Lowered;
  auto Slot(ir::SlotId slot, bool optional) -> Lowered;
  // A field of the record at `base` (the request, or a list element), read where `b` points.
  auto LoadField(IRBuilder<>& b, Value* base, const SlotLayout& s, bool optional) -> Lowered;
  // any, all, count, sum, min, max: a loop over the binder's list.
  auto Quantifier(const ir::Value& v, ir::ValueId id) -> Lowered;
  std::vector<bool> element_dependent_;  // ir::ElementDependent
  // Branches to `bad` when the struct at `request` holds a value no request could hold (abi.h,
  // CORDON_ABI_BAD_REQUEST); the insertion point ends where the request was found good.
  void CheckRequestStruct(Value* request, BasicBlock* bad);
  // True when a field among slots [first, last) holds an impossible value: no branches.
  auto FieldChecks(Value* request, size_t first, size_t last) -> Value*;
  auto OrAll(std::vector<Value*> terms) -> Value*;
  static constexpr size_t kInlineChecks = 128;
  static constexpr size_t kChecksPerFunction = 16;
  llvm::GlobalVariable* assigned_countries_ = nullptr;  // the bitset of ISO codes, made once
  // Reads the row cell at `cell` in place (abi.h, CORDON_ABI_ROW_CELL_*).
  auto FromRowCell(Value* cell, ir::Kind kind, bool optional) -> Lowered;
  // A key cell for a table callback, on the stack; or, given `cell`, written there.
  auto FillCell(const Lowered& v, ir::Kind kind, Value* cell = nullptr) -> Value*;
  // Writes the values of a fired rule's message holes where the runtime reads them.
  void StoreHoles(const std::vector<ir::MessageHole>& holes, uint32_t first);
  auto Compare(const ir::Value& v, const Lowered& x, const Lowered& y) -> Value*;
  auto CountrySetOp(bool add, const Lowered& x, const Lowered& y) -> Lowered;
  // Branches to the rule's error exit unless `status` is zero.
  void CheckStatus(Value* status, ir::ValueId id);
  auto EnvField(unsigned index) -> Value* {
    return b_.CreateLoad(ptr_, b_.CreateStructGEP(env_ty_, env_, index));
  }
  auto EntryAlloca(Type* type) -> Value* {
    IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::AllocaInst* slot = entry.CreateAlloca(type);
    // 16, as C aligns the __int128s the helpers read (they may copy them with aligned vector
    // moves), whatever the module's data layout says.
    slot->setAlignment(std::max(slot->getAlign(), llvm::Align(16)));
    return slot;
  }
  auto NewBlock(const char* name) -> BasicBlock* { return BasicBlock::Create(ctx_, name, fn_); }
  // At the join of two blocks (`otherwise`, `if`): the value of whichever ran, member by member.
  // A side without a member (an absent constant's payload) gives the other's zero; with
  // `optional`, a side without a presence bit is present.
  auto Merge(const Lowered& x, BasicBlock* from_x, const Lowered& y, BasicBlock* from_y,
             bool optional) -> Lowered {
    auto phi = [&](Value* a, Value* b) -> Value* {
      if (a == nullptr && b == nullptr) return nullptr;
      if (a == nullptr) a = llvm::Constant::getNullValue(b->getType());
      if (b == nullptr) b = llvm::Constant::getNullValue(a->getType());
      llvm::PHINode* node = b_.CreatePHI(a->getType(), 2);
      node->addIncoming(a, from_x);
      node->addIncoming(b, from_y);
      return node;
    };
    Lowered out{.a = phi(x.a, y.a), .b = phi(x.b, y.b)};
    if (optional) {
      out.present = phi(x.present ? x.present : b_.getTrue(), y.present ? y.present : b_.getTrue());
    }
    return out;
  }
  // Ends the current block with a jump to the rule's one block that records its result (it
  // fired, with `exception`, or failed at `value` with `status`). One store sequence per rule,
  // not one per way out of it, is less for the optimiser of a large policy to chew on.
  void Record(uint32_t state, Value* exception, Value* value, Value* status);
  // Opens the rule's record block; Finish fills it in, or drops it when nothing records.
  void OpenRecord();
  void FinishRecord();

  // Memo of values computed in blocks that dominate the current one. Entering a conditional
  // region opens a scope; leaving it forgets what was computed inside.
  auto OpenScope() -> size_t { return memo_log_.size(); }
  void CloseScope(size_t mark) {
    while (memo_log_.size() > mark) {
      memo_.erase(memo_log_.back());
      memo_log_.pop_back();
    }
  }

  const ir::Program& p_;
  llvm::LLVMContext& ctx_;
  llvm::Module& m_;
  IRBuilder<> b_;
  RequestLayout layout_;
  std::vector<uint32_t> hole_starts_;  // ir::MessageHoleStarts; empty when no message has holes
  std::vector<ir::SlotId> key_slots_;  // the ABI's `find_name` key indices
  Type* i1_;
  Type* i8_;
  Type* i16_;
  Type* i32_;
  Type* i64_;
  Type* i128_;  // a number's numerator and denominator
  llvm::PointerType* ptr_;
  llvm::StructType* cell_ty_;
  llvm::StructType* rows_ty_;
  llvm::StructType* env_ty_;
  llvm::StructType* result_ty_;
  llvm::Function* fn_ = nullptr;
  Value* request_ = nullptr;
  Value* as_of_ = nullptr;
  Value* env_ = nullptr;
  Value* results_ = nullptr;
  Value* count_ = nullptr;  // entries written to results_ (an alloca SROA keeps in a register)
  uint32_t rule_ = 0;
  BasicBlock* next_rule_ = nullptr;
  BasicBlock* record_ = nullptr;
  llvm::PHINode* record_state_ = nullptr;
  llvm::PHINode* record_exception_ = nullptr;
  llvm::PHINode* record_value_ = nullptr;
  llvm::PHINode* record_status_ = nullptr;
  std::unordered_map<ir::ValueId, Lowered> memo_;
  std::vector<ir::ValueId> memo_log_;
  // The request's fields loaded in fn_'s entry block, by slot << 1 | optional.
  std::unordered_map<uint64_t, Lowered> slots_;
  // Arithmetic that more than one rule of the function computes (a policy's density, say):
  // computed by the first rule that needs it, and read from these slots by the others. Each
  // holds whether it is computed yet and the helper's {num, den, status} (shared_ty_).
  struct SharedResult {
    Value* done;
    Value* result;
  };
  std::unordered_map<ir::ValueId, SharedResult> shared_;
  llvm::StructType* shared_ty_ = nullptr;
  Type* pair_ty_ = nullptr;            // [2 x i128]: a number in memory
  std::vector<uint32_t> rule_seeing_;  // FindSharedArithmetic's visited marks
  void FindSharedArithmetic(uint32_t first, uint32_t last);
  // Per value: 0 unknown, 1 no, 2 yes.
  std::vector<uint8_t> can_fail_;
  std::vector<uint8_t> cheap_;
  std::unordered_map<uint32_t, llvm::GlobalVariable*> const_globals_;
  std::unordered_map<std::string, llvm::GlobalVariable*> set_globals_;  // by the set's words
};

void Lowerer::OpenRecord() {
  record_ = NewBlock("rule.record");
  IRBuilder<> b(record_);
  record_state_ = b.CreatePHI(i32_, 2);
  record_exception_ = b.CreatePHI(i32_, 2);
  record_value_ = b.CreatePHI(i32_, 2);
  record_status_ = b.CreatePHI(i32_, 2);
}

void Lowerer::Record(uint32_t state, Value* exception, Value* value, Value* status) {
  BasicBlock* from = b_.GetInsertBlock();
  record_state_->addIncoming(b_.getInt32(state), from);
  record_exception_->addIncoming(exception, from);
  record_value_->addIncoming(value, from);
  record_status_->addIncoming(status, from);
  b_.CreateBr(record_);
}

void Lowerer::FinishRecord() {
  if (record_state_->getNumIncomingValues() == 0) {
    record_->eraseFromParent();
    return;
  }
  IRBuilder<> b(record_);
  Value* n = b.CreateLoad(i32_, count_);
  Value* slot = b.CreateInBoundsGEP(result_ty_, results_, {n});
  // Three stores, not five: {rule, state} and {exception, value} as one <2 x i32> each (in
  // memory, element 0 comes first whatever the byte order). Every store is work for DSE, which
  // a 10,000-rule policy makes slow.
  auto* pair_ty = llvm::FixedVectorType::get(i32_, 2);
  auto pair = [&](Value* first, Value* second) {
    Value* v = b.CreateInsertElement(llvm::PoisonValue::get(pair_ty), first, uint64_t{0});
    return b.CreateInsertElement(v, second, uint64_t{1});
  };
  b.CreateAlignedStore(pair(b.getInt32(rule_), record_state_),
                       b.CreateStructGEP(result_ty_, slot, 0), llvm::Align(4));
  b.CreateAlignedStore(pair(record_exception_, record_value_),
                       b.CreateStructGEP(result_ty_, slot, 2), llvm::Align(4));
  b.CreateStore(record_status_, b.CreateStructGEP(result_ty_, slot, 4));
  b.CreateStore(b.CreateAdd(n, b.getInt32(1)), count_);
  b.CreateBr(next_rule_);
}

void Lowerer::CheckStatus(Value* status, ir::ValueId id) {
  BasicBlock* fail = NewBlock("fail");
  BasicBlock* ok = NewBlock("ok");
  b_.CreateCondBr(b_.CreateICmpNE(status, b_.getInt32(0)), fail, ok,
                  llvm::MDBuilder(ctx_).createBranchWeights(1, 1000));
  b_.SetInsertPoint(fail);
  Record(CORDON_RULE_ERROR, b_.getInt32(UINT32_MAX), b_.getInt32(id), status);
  b_.SetInsertPoint(ok);
}

auto Lowerer::Const(const ir::Datum& d, uint32_t index) -> Lowered {
  Lowered out;
  if (!d.present) out.present = b_.getFalse();
  switch (d.kind) {
    case ir::Kind::kBool:
      out.a = b_.getInt1(d.bits != 0);
      break;
    case ir::Kind::kNumber:
      out.a = Int128Const(d.number.num);
      out.b = Int128Const(d.number.den);
      break;
    case ir::Kind::kText: {
      auto it = const_globals_.find(index);
      if (it == const_globals_.end()) {
        llvm::Constant* bytes = llvm::ConstantDataArray::getString(ctx_, d.text.view(), false);
        auto* g = new llvm::GlobalVariable(m_, bytes->getType(), true,
                                           llvm::GlobalValue::PrivateLinkage, bytes, "text");
        g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
        it = const_globals_.emplace(index, g).first;
      }
      out.a = it->second;
      out.b = b_.getInt64(d.text.size());
      break;
    }
    case ir::Kind::kCountrySet: {
      // One global per distinct set: rules written alike fold to equal sets.
      const auto* set = static_cast<const ir::CountrySet*>(d.set);
      std::string bytes(reinterpret_cast<const char*>(set->words.data()),
                        sizeof(set->words[0]) * set->words.size());
      auto it = set_globals_.find(bytes);
      if (it == set_globals_.end()) {
        std::vector<uint64_t> words(set->words.begin(), set->words.end());
        llvm::Constant* init = llvm::ConstantDataArray::get(ctx_, words);
        auto* g = new llvm::GlobalVariable(m_, init->getType(), true,
                                           llvm::GlobalValue::PrivateLinkage, init, "countries");
        g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
        it = set_globals_.emplace(std::move(bytes), g).first;
      }
      out.a = it->second;
      break;
    }
    case ir::Kind::kTextSet: {
      Value* sets = EnvField(5);
      out.a = b_.CreateLoad(ptr_, b_.CreateConstInBoundsGEP1_64(ptr_, sets, index));
      break;
    }
    default:
      out.a = b_.getInt64(static_cast<uint64_t>(d.bits));
      break;
  }
  return out;
}

auto Lowerer::Slot(ir::SlotId slot, bool optional) -> Lowered {
  uint64_t key = uint64_t{slot} << 1 | (optional ? 1 : 0);
  if (auto it = slots_.find(key); it != slots_.end()) return it->second;
  // Loaded once, at the entry of the function: every rule that reads the field then uses the
  // same value, and the optimiser need not prove it (GVN's search for earlier loads across
  // thousands of rule blocks was most of a large policy's compile time). The request does not
  // change during a call, so the loads are marked invariant: reloading is as good as a spill.
  IRBuilder<> b(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  Lowered out = LoadField(b, request_, layout_.slots[slot], optional);
  slots_.emplace(key, out);
  return out;
}

auto Lowerer::LoadField(IRBuilder<>& b, Value* base, const SlotLayout& s, bool optional)
    -> Lowered {
  llvm::MDNode* invariant = llvm::MDNode::get(ctx_, {});
  auto load = [&](Type* type, Value* at) {
    llvm::LoadInst* l = CreateLoad(b, type, at);
    l->setMetadata(llvm::LLVMContext::MD_invariant_load, invariant);
    return l;
  };
  Lowered out;
  if (s.presence != ir::kNoId && optional) {
    Value* byte = load(i8_, b.CreateConstInBoundsGEP1_64(i8_, base, s.presence));
    out.present = b.CreateICmpNE(byte, b.getInt8(0));
  }
  Value* at = b.CreateConstInBoundsGEP1_64(i8_, base, s.offset);
  switch (s.kind) {
    case ir::Kind::kBool:
      out.a = b.CreateICmpNE(load(i8_, at), b.getInt8(0));
      break;
    case ir::Kind::kNumber:
      out.a = load(i128_, at);
      // An `int` field's denominator is 1 (the decoder writes it, and a host's struct with any
      // other is refused before the call), so the optimiser can drop the fraction arithmetic.
      out.b = s.integer ? static_cast<Value*>(Int128Const(1))
                        : load(i128_, b.CreateConstInBoundsGEP1_64(i8_, at, 16));
      break;
    case ir::Kind::kDate:
      out.a = b.CreateSExt(load(i32_, at), i64_);
      break;
    case ir::Kind::kCountry:
    case ir::Kind::kEnum:
      out.a = b.CreateZExt(load(i16_, at), i64_);
      break;
    case ir::Kind::kText:
    case ir::Kind::kList:  // items, count
      out.a = load(ptr_, at);
      out.b = load(i64_, b.CreateConstInBoundsGEP1_64(i8_, at, 8));
      break;
    case ir::Kind::kCountrySet:
      out.a = at;
      break;
    case ir::Kind::kTextSet:
      out.a = load(ptr_, at);
      break;
    case ir::Kind::kEnumSet:
    case ir::Kind::kRow:
    case ir::Kind::kElement:
      out.a = load(i64_, at);
      break;
  }
  return out;
}

auto Lowerer::FieldChecks(Value* request, size_t first, size_t last) -> Value* {
  const StructBounds& bounds = GetStructBounds();
  auto load = [&](Type* type, uint32_t offset) -> Value* {
    return CreateLoad(b_, type, b_.CreateConstInBoundsGEP1_64(i8_, request, offset));
  };
  auto* words_ty = llvm::ArrayType::get(i64_, bounds.assigned_countries.size());
  llvm::GlobalVariable*& assigned = assigned_countries_;
  std::vector<Value*> terms;
  auto also = [&](Value* wrong) { terms.push_back(wrong); };
  for (size_t i = first; i < last; ++i) {
    const SlotLayout& s = layout_.slots[i];
    // Nothing in an absent record is read, so it may hold anything.
    Value* in_record = nullptr;
    for (uint32_t record : s.records) {
      Value* here = b_.CreateICmpNE(load(i8_, record), b_.getInt8(0));
      in_record = in_record == nullptr ? here : b_.CreateAnd(in_record, here);
    }
    auto guard = [&](Value* wrong, Value* when) {
      return when == nullptr ? wrong : b_.CreateAnd(when, wrong);
    };
    Value* present = in_record;
    if (s.optional) {
      Value* byte = load(i8_, s.presence);
      also(guard(b_.CreateICmpUGT(byte, b_.getInt8(1)), in_record));
      present = guard(b_.CreateICmpNE(byte, b_.getInt8(0)), in_record);
    }
    if (s.is_record_presence) continue;
    Value* wrong = nullptr;
    switch (s.kind) {
      case ir::Kind::kBool:
        wrong = b_.CreateICmpUGT(load(i8_, s.offset), b_.getInt8(1));
        break;
      case ir::Kind::kNumber: {
        Value* den = load(i128_, s.offset + 16);
        wrong = s.integer ? b_.CreateICmpNE(den, Int128Const(1))
                          : b_.CreateICmpSLE(den, Int128Const(0));
        break;
      }
      case ir::Kind::kDate: {
        Value* day = load(i32_, s.offset);
        wrong = b_.CreateOr(b_.CreateICmpSLT(day, b_.getInt32(kFirstDay)),
                            b_.CreateICmpSGT(day, b_.getInt32(kLastDay)));
        break;
      }
      case ir::Kind::kCountry: {
        if (assigned == nullptr) {
          std::vector<llvm::Constant*> words;
          for (uint64_t w : bounds.assigned_countries) words.push_back(b_.getInt64(w));
          assigned = new llvm::GlobalVariable(m_, words_ty, true, llvm::GlobalValue::PrivateLinkage,
                                              llvm::ConstantArray::get(words_ty, words),
                                              "cordon_assigned_countries");
        }
        Value* c = b_.CreateZExt(load(i16_, s.offset), i64_);
        Value* in_range = b_.CreateICmpULT(c, b_.getInt64(kCountrySlots));
        Value* word_index = b_.CreateSelect(in_range, b_.CreateLShr(c, 6), b_.getInt64(0));
        Value* word = b_.CreateLoad(
            i64_, b_.CreateInBoundsGEP(words_ty, assigned, {b_.getInt64(0), word_index}));
        Value* bit = b_.CreateAnd(b_.CreateLShr(word, b_.CreateAnd(c, 63)), 1);
        wrong = b_.CreateOr(b_.CreateNot(in_range), b_.CreateICmpEQ(bit, b_.getInt64(0)));
        break;
      }
      case ir::Kind::kEnum: {
        auto limit = static_cast<uint64_t>(p_.enums[s.enum_id].values.size());
        wrong = b_.CreateICmpUGE(b_.CreateZExt(load(i16_, s.offset), i64_), b_.getInt64(limit));
        break;
      }
      case ir::Kind::kEnumSet: {
        auto limit = static_cast<uint64_t>(p_.enums[s.enum_id].values.size());
        if (limit < 64) {
          wrong = b_.CreateICmpNE(b_.CreateLShr(load(i64_, s.offset), limit), b_.getInt64(0));
        }
        break;
      }
      case ir::Kind::kText:
        wrong = b_.CreateAnd(b_.CreateIsNull(load(ptr_, s.offset)),
                             b_.CreateICmpNE(load(i64_, s.offset + 8), b_.getInt64(0)));
        break;
      case ir::Kind::kCountrySet:
        wrong =
            b_.CreateICmpNE(b_.CreateLShr(load(i64_, s.offset + 80), uint64_t{kCountrySlots - 640}),
                            b_.getInt64(0));
        break;
      case ir::Kind::kList: {
        // The header only; the runtime checks the elements before it calls (Session::CheckStruct).
        Value* count = load(i64_, s.offset + 8);
        wrong = b_.CreateOr(b_.CreateICmpUGT(count, b_.getInt64(p_.lists[s.list].max_length)),
                            b_.CreateAnd(b_.CreateIsNull(load(ptr_, s.offset)),
                                         b_.CreateICmpNE(count, b_.getInt64(0))));
        break;
      }
      case ir::Kind::kTextSet:
      case ir::Kind::kRow:
      case ir::Kind::kElement:
        break;
    }
    if (wrong == nullptr) continue;
    // An absent value is never read, so it may hold anything.
    also(guard(wrong, present));
  }
  return OrAll(std::move(terms));
}

// A balanced tree: a chain of 10,000 `or`s sent LLVM's recursive analyses past the stack.
auto Lowerer::OrAll(std::vector<Value*> terms) -> Value* {
  if (terms.empty()) return b_.getFalse();
  while (terms.size() > 1) {
    std::vector<Value*> next;
    for (size_t t = 0; t + 1 < terms.size(); t += 2) {
      next.push_back(b_.CreateOr(terms[t], terms[t + 1]));
    }
    if (terms.size() % 2 != 0) next.push_back(terms.back());
    terms = std::move(next);
  }
  return terms.front();
}

void Lowerer::CheckRequestStruct(Value* request, BasicBlock* bad) {
  const size_t slots = layout_.slots.size();
  Value* wrong = nullptr;
  if (slots <= kInlineChecks) {
    // The common case: straight-line loads and compares, no calls, one branch.
    wrong = FieldChecks(request, 0, slots);
  } else {
    // Many fields: one small function per kChecksPerFunction of them. In one block the register
    // allocator went quadratic (2,000 fields: 17 s), and blocks chained in one function were
    // merged back by SimplifyCFG; calls keep every pass linear in the fields.
    llvm::IRBuilderBase::InsertPoint entry = b_.saveIP();
    auto* type = llvm::FunctionType::get(b_.getInt1Ty(), {ptr_}, false);
    std::vector<Value*> calls;
    std::vector<llvm::Function*> fns;
    for (size_t first = 0; first < slots; first += kChecksPerFunction) {
      auto* fn = llvm::Function::Create(type, llvm::GlobalValue::PrivateLinkage,
                                        fmt::format("cordon_check_fields_{}", fns.size()), m_);
      fn->addFnAttr(llvm::Attribute::NoInline);
      b_.SetInsertPoint(BasicBlock::Create(ctx_, "entry", fn));
      b_.CreateRet(FieldChecks(fn->getArg(0), first, std::min(slots, first + kChecksPerFunction)));
      fns.push_back(fn);
    }
    b_.restoreIP(entry);
    for (llvm::Function* fn : fns) calls.push_back(b_.CreateCall(fn, {request}));
    wrong = OrAll(std::move(calls));
  }
  BasicBlock* good = BasicBlock::Create(ctx_, "decide", b_.GetInsertBlock()->getParent());
  b_.CreateCondBr(wrong, bad, good, llvm::MDBuilder(ctx_).createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(good);
}

void Lowerer::FindSharedArithmetic(uint32_t first, uint32_t last) {
  shared_.clear();
  if (!share_arithmetic_) return;
  auto is_arithmetic = [](ir::Op op) {
    return op == ir::Op::kNeg || op == ir::Op::kAdd || op == ir::Op::kSub || op == ir::Op::kMul ||
           op == ir::Op::kDiv;
  };
  std::unordered_map<ir::ValueId, uint32_t> rules_using;
  std::vector<ir::ValueId> stack;
  // The rule that last saw each value: rules are numbered across chunks, so this is sized
  // once for the module, not per chunk.
  std::vector<uint32_t>& visited = rule_seeing_;
  if (element_dependent_.empty()) element_dependent_ = ir::ElementDependent(p_);
  visited.resize(p_.values.size(), UINT32_MAX);
  for (uint32_t r = first; r < last; ++r) {
    const ir::Rule& rule = p_.rules[r];
    stack.assign({rule.when});
    for (const auto& u : rule.unless) stack.push_back(u.condition);
    while (!stack.empty()) {
      ir::ValueId id = stack.back();
      stack.pop_back();
      if (visited[id] == r) continue;
      visited[id] = r;
      const ir::Value& v = p_.values[id];
      // A value computed per list element is not shared: its first result would stand for all.
      if (is_arithmetic(v.op) && !element_dependent_[id]) ++rules_using[id];
      if (ir::TakesValueA(v.op)) stack.push_back(v.a);
      if (ir::TakesValueB(v.op)) stack.push_back(v.b);
    }
  }
  for (const auto& [id, rules] : rules_using) {
    if (rules < 2) continue;
    Value* done = EntryAlloca(i1_);
    b_.CreateStore(b_.getFalse(), done);  // the insertion point is still the entry block
    shared_.emplace(id, SharedResult{.done = done, .result = EntryAlloca(shared_ty_)});
  }
}

auto Lowerer::FromRowCell(Value* cell, ir::Kind kind, bool optional) -> Lowered {
  Lowered out;
  auto field = [&](unsigned offset, Type* t) {
    return CreateLoad(b_, t, b_.CreateConstInBoundsGEP1_64(i8_, cell, offset));
  };
  if (optional)
    out.present = b_.CreateICmpNE(field(CORDON_ABI_ROW_CELL_PRESENT, i8_), b_.getInt8(0));
  switch (ir::PayloadOf(kind)) {
    case ir::Payload::kNumber:
      out.a = field(CORDON_ABI_ROW_CELL_NUM, i128_);
      out.b = field(CORDON_ABI_ROW_CELL_DEN, i128_);
      break;
    case ir::Payload::kText:
      out.a = field(CORDON_ABI_ROW_CELL_TEXT, ptr_);
      out.b = field(CORDON_ABI_ROW_CELL_TEXT_SIZE, i64_);
      break;
    case ir::Payload::kSet:
      out.a = field(CORDON_ABI_ROW_CELL_SET, ptr_);
      break;
    case ir::Payload::kBits:
      out.a = field(CORDON_ABI_ROW_CELL_BITS, i64_);
      if (kind == ir::Kind::kBool) out.a = b_.CreateICmpNE(out.a, b_.getInt64(0));
      break;
  }
  return out;
}

void Lowerer::StoreHoles(const std::vector<ir::MessageHole>& holes, uint32_t first) {
  if (holes.empty()) return;
  Value* cells = EnvField(8);
  for (uint32_t i = 0; i < holes.size(); ++i) {
    Value* cell = b_.CreateInBoundsGEP(cell_ty_, cells, b_.getInt64(first + i));
    FillCell(Eval(holes[i].value), p_.values[holes[i].value].kind, cell);
  }
}

auto Lowerer::FillCell(const Lowered& v, ir::Kind kind, Value* cell) -> Value* {
  if (cell == nullptr) cell = EntryAlloca(cell_ty_);
  auto set = [&](unsigned i, Value* x) {
    b_.CreateStore(x, b_.CreateStructGEP(cell_ty_, cell, i));
  };
  set(0, Int128Const(0));
  set(1, Int128Const(1));
  set(2, b_.getInt64(0));
  set(3, llvm::ConstantPointerNull::get(ptr_));
  set(4, b_.getInt64(0));
  set(5, llvm::ConstantPointerNull::get(ptr_));
  set(6, b_.getInt8(1));
  switch (kind) {
    case ir::Kind::kBool:
      set(2, b_.CreateZExt(v.a, i64_));
      break;
    case ir::Kind::kNumber:
      set(0, v.a);
      set(1, v.b);
      break;
    case ir::Kind::kText:
      set(3, v.a);
      set(4, v.b);
      break;
    case ir::Kind::kCountrySet:
    case ir::Kind::kTextSet:
      set(5, v.a);
      break;
    default:
      set(2, v.a);
      break;
  }
  return cell;
}

auto Lowerer::Compare(const ir::Value& v, const Lowered& x, const Lowered& y) -> Value* {
  // The comparison of two scalars, or null for an op that is not one.
  auto apply = [&](Value* l, Value* r) -> Value* {
    switch (v.op) {
      case ir::Op::kEq:
        return b_.CreateICmpEQ(l, r);
      case ir::Op::kNe:
        return b_.CreateICmpNE(l, r);
      case ir::Op::kLt:
        return b_.CreateICmpSLT(l, r);
      case ir::Op::kLe:
        return b_.CreateICmpSLE(l, r);
      case ir::Op::kGt:
        return b_.CreateICmpSGT(l, r);
      case ir::Op::kGe:
        return b_.CreateICmpSGE(l, r);
      case ir::Op::kConst:
      case ir::Op::kSlot:
      case ir::Op::kRowField:
      case ir::Op::kIsSome:
      case ir::Op::kUnwrap:
      case ir::Op::kOtherwise:
      case ir::Op::kNot:
      case ir::Op::kAnd:
      case ir::Op::kOr:
      case ir::Op::kNeg:
      case ir::Op::kAdd:
      case ir::Op::kSub:
      case ir::Op::kMul:
      case ir::Op::kDiv:
      case ir::Op::kDateAddDays:
      case ir::Op::kDateSubDays:
      case ir::Op::kDateDiff:
      case ir::Op::kIn:
      case ir::Op::kUnion:
      case ir::Op::kDifference:
      case ir::Op::kTableHas:
      case ir::Op::kTableFind:
      case ir::Op::kTableNear:
      case ir::Op::kYear:
      case ir::Op::kIf:
      case ir::Op::kElse:
      case ir::Op::kAsOf:
      case ir::Op::kBinder:
      case ir::Op::kElemField:
      case ir::Op::kAny:
      case ir::Op::kAll:
      case ir::Op::kCount:
      case ir::Op::kSum:
      case ir::Op::kMin:
      case ir::Op::kMax:
      case ir::Op::kTooDeep:
      case ir::Op::kUpper:
      case ir::Op::kLower:
      case ir::Op::kTrim:
      case ir::Op::kLength:
      case ir::Op::kContains:
      case ir::Op::kStartsWith:
      case ir::Op::kReplace:
      case ir::Op::kWith:
        break;
    }
    return nullptr;
  };
  // Scalars are compared directly; texts and sets through a three-way order, compared with 0.
  Value* l = nullptr;
  Value* r = nullptr;
  auto three_way = [&](Value* order) {
    l = order;
    r = b_.getInt32(0);
  };
  switch (p_.values[v.a].kind) {
    case ir::Kind::kNumber: {
      // As cordon_rational_cmp: when every part fits in 64 bits, the cross products, exact in
      // 128 bits (denominators are positive), emitted here rather than called, so that a large
      // policy's thousands of comparisons need no inlining; otherwise the helper's 256 bits.
      // A denominator known to be 1 (an `int` field, an integer constant) multiplies nothing,
      // and with both known the numerators compare directly.
      auto one = [](Value* den) {
        auto* c = llvm::dyn_cast<llvm::ConstantInt>(den);
        return c != nullptr && c->isOne();
      };
      if (one(x.b) && one(y.b)) {
        l = x.a;
        r = y.a;
        break;
      }
      // Only the factors of a product need to fit: a side over a denominator of 1 is compared
      // as it is, at any width.
      auto fits = [&](Value* part) {
        return b_.CreateICmpEQ(b_.CreateSExt(b_.CreateTrunc(part, i64_), i128_), part);
      };
      Value* narrow = b_.getTrue();
      if (!one(y.b)) narrow = b_.CreateAnd(narrow, b_.CreateAnd(fits(x.a), fits(y.b)));
      if (!one(x.b)) narrow = b_.CreateAnd(narrow, b_.CreateAnd(fits(y.a), fits(x.b)));
      BasicBlock* wide = NewBlock("cmp.wide");
      BasicBlock* join = NewBlock("cmp.join");
      // Narrow operands, widened again from 64 bits: each product is one machine multiply.
      auto narrowed = [&](Value* part) { return b_.CreateSExt(b_.CreateTrunc(part, i64_), i128_); };
      Value* ln = one(y.b) ? x.a : b_.CreateNSWMul(narrowed(x.a), narrowed(y.b));
      Value* rn = one(x.b) ? y.a : b_.CreateNSWMul(narrowed(y.a), narrowed(x.b));
      Value* narrow_result = apply(ln, rn);
      BasicBlock* narrow_end = b_.GetInsertBlock();
      b_.CreateCondBr(narrow, join, wide, llvm::MDBuilder(ctx_).createBranchWeights(1000, 1));
      b_.SetInsertPoint(wide);
      Value* order = b_.CreateCall(Helper("cordon_h_cmp_wide"), {Spill(x), Spill(y)});
      Value* wide_result = apply(order, b_.getInt32(0));
      b_.CreateBr(join);
      b_.SetInsertPoint(join);
      llvm::PHINode* result = b_.CreatePHI(i1_, 2);
      result->addIncoming(narrow_result, narrow_end);
      result->addIncoming(wide_result, wide);
      return result;
    }
    case ir::Kind::kText:
      three_way(b_.CreateCall(Helper("cordon_h_text_cmp"), {x.a, x.b, y.a, y.b}));
      break;
    case ir::Kind::kCountrySet: {
      Value* equal = b_.getTrue();
      for (unsigned w = 0; w < 11; ++w) {
        Value* lw = b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP1_64(i64_, x.a, w));
        Value* rw = b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP1_64(i64_, y.a, w));
        equal = b_.CreateAnd(equal, b_.CreateICmpEQ(lw, rw));
      }
      // As ir::EvalOp: unequal sets order as "less".
      three_way(b_.CreateSelect(equal, b_.getInt32(0), b_.getInt32(-1)));
      break;
    }
    case ir::Kind::kTextSet: {
      Value* fn = EnvField(4);
      Value* eq = b_.CreateCall(llvm::FunctionType::get(i8_, {ptr_, ptr_}, false), fn, {x.a, y.a});
      three_way(
          b_.CreateSelect(b_.CreateICmpNE(eq, b_.getInt8(0)), b_.getInt32(0), b_.getInt32(-1)));
      break;
    }
    case ir::Kind::kBool:
      l = b_.CreateZExt(x.a, i64_);
      r = b_.CreateZExt(y.a, i64_);
      break;
    default:
      l = x.a;
      r = y.a;
      break;
  }
  if (Value* result = apply(l, r)) return result;
  return Unsupported(v, static_cast<ir::ValueId>(&v - p_.values.data())).a;
}

auto Lowerer::CountrySetOp(bool add, const Lowered& x, const Lowered& y) -> Lowered {
  Value* out = EntryAlloca(llvm::ArrayType::get(i64_, 11));
  for (unsigned w = 0; w < 11; ++w) {
    Value* l = b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP1_64(i64_, x.a, w));
    Value* r = b_.CreateLoad(i64_, b_.CreateConstInBoundsGEP1_64(i64_, y.a, w));
    Value* word = add ? b_.CreateOr(l, r) : b_.CreateAnd(l, b_.CreateNot(r));
    b_.CreateStore(word, b_.CreateConstInBoundsGEP1_64(i64_, out, w));
  }
  return Lowered{.a = out};
}

void Lowerer::FlattenLogic(ir::Op op, ir::ValueId id, std::vector<ir::ValueId>& terms) const {
  const ir::Value& v = p_.values[id];
  if (v.op != op) {
    terms.push_back(id);
    return;
  }
  FlattenLogic(op, v.a, terms);
  FlattenLogic(op, v.b, terms);
}

auto Lowerer::CanFail(ir::ValueId id) -> bool {
  if (can_fail_.empty()) can_fail_.assign(p_.values.size(), 0);
  if (can_fail_[id] != 0) return can_fail_[id] == 2;
  const ir::Value& v = p_.values[id];
  bool fails = false;
  switch (v.op) {
    case ir::Op::kNeg:
    case ir::Op::kAdd:
    case ir::Op::kSub:
    case ir::Op::kMul:
    case ir::Op::kDiv:
    case ir::Op::kDateAddDays:
    case ir::Op::kDateSubDays:
    case ir::Op::kDateDiff:
    case ir::Op::kTooDeep:
    case ir::Op::kAny:  // the body, evaluated per element, may fail; a sum may overflow
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax:
      fails = true;
      break;
    case ir::Op::kConst:
    case ir::Op::kSlot:
    case ir::Op::kAsOf:
    case ir::Op::kBinder:
    case ir::Op::kElemField:
      break;
    case ir::Op::kRowField:
    case ir::Op::kIsSome:
    case ir::Op::kUnwrap:
    case ir::Op::kOtherwise:
    case ir::Op::kNot:
    case ir::Op::kAnd:
    case ir::Op::kOr:
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kIn:
    case ir::Op::kUnion:
    case ir::Op::kDifference:
    case ir::Op::kTableHas:
    case ir::Op::kTableFind:
    case ir::Op::kTableNear:
    case ir::Op::kYear:
    case ir::Op::kIf:
    case ir::Op::kElse:
    case ir::Op::kUpper:
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
    case ir::Op::kContains:
    case ir::Op::kStartsWith:
    case ir::Op::kReplace:
    case ir::Op::kWith:
      fails = CanFail(v.a) || (ir::TakesValueB(v.op) && CanFail(v.b));
      break;
  }
  can_fail_[id] = fails ? 2 : 1;
  return fails;
}

auto Lowerer::IsCheap(ir::ValueId id) -> bool {
  if (cheap_.empty()) cheap_.assign(p_.values.size(), 0);
  if (cheap_[id] != 0) return cheap_[id] == 1;
  const ir::Value& v = p_.values[id];
  bool cheap = true;
  switch (v.op) {
    case ir::Op::kTableHas:
    case ir::Op::kTableFind:
    case ir::Op::kTableNear:
    case ir::Op::kRowField:
    case ir::Op::kUnwrap:
    case ir::Op::kAny:
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax:
    case ir::Op::kTooDeep:
    case ir::Op::kUpper:  // a call into the runtime
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
    case ir::Op::kContains:
    case ir::Op::kStartsWith:
    case ir::Op::kReplace:
      cheap = false;
      break;
    case ir::Op::kConst:
    case ir::Op::kSlot:
    case ir::Op::kAsOf:
    case ir::Op::kBinder:
    case ir::Op::kElemField:
      break;
    case ir::Op::kIn:
      cheap = p_.values[v.b].kind != ir::Kind::kTextSet && IsCheap(v.a) && IsCheap(v.b);
      break;
    case ir::Op::kIsSome:
    case ir::Op::kOtherwise:
    case ir::Op::kNot:
    case ir::Op::kAnd:
    case ir::Op::kOr:
    case ir::Op::kNeg:
    case ir::Op::kAdd:
    case ir::Op::kSub:
    case ir::Op::kMul:
    case ir::Op::kDiv:
    case ir::Op::kDateAddDays:
    case ir::Op::kDateSubDays:
    case ir::Op::kDateDiff:
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kUnion:
    case ir::Op::kDifference:
    case ir::Op::kYear:
    case ir::Op::kIf:
    case ir::Op::kElse:
    case ir::Op::kWith:
      cheap = IsCheap(v.a) && (!ir::TakesValueB(v.op) || IsCheap(v.b));
      break;
  }
  cheap_[id] = cheap ? 1 : 2;
  return cheap;
}

void Lowerer::OrderTerms(std::vector<ir::ValueId>& terms) {
  auto run = terms.begin();
  while (run != terms.end()) {
    auto end = std::find_if(run, terms.end(), [&](ir::ValueId t) { return CanFail(t); });
    std::stable_partition(run, end, [&](ir::ValueId t) { return IsCheap(t); });
    run = end == terms.end() ? end : end + 1;
  }
}

auto Lowerer::Eval(ir::ValueId id) -> Lowered {
  auto it = memo_.find(id);
  if (it != memo_.end()) return it->second;
  Lowered out = EvalUncached(id);
  memo_.emplace(id, out);
  memo_log_.push_back(id);
  return out;
}

auto Lowerer::EvalUncached(ir::ValueId id) -> Lowered {
  const ir::Value& v = p_.values[id];
  switch (v.op) {
    case ir::Op::kConst:
      return Const(p_.constants[v.a], v.a);
    case ir::Op::kSlot:
      return Slot(v.a, v.optional);
    case ir::Op::kAnd:
    case ir::Op::kOr: {
      // `a and b and c` as one chain of short-circuit tests, cheap terms first where that
      // cannot change the answer (see OrderTerms).
      std::vector<ir::ValueId> terms;
      FlattenLogic(v.op, id, terms);
      OrderTerms(terms);
      BasicBlock* done = NewBlock("logic.done");
      std::vector<std::pair<Value*, BasicBlock*>> incoming;
      // The first term always runs, so what it computes stays known after the chain. Each
      // later term runs only when every term before it let the chain go on, so what the
      // earlier terms computed dominates it; the scope of the later terms ends with the chain.
      size_t mark = 0;
      for (size_t k = 0; k < terms.size(); ++k) {
        if (k == 1) mark = OpenScope();
        Value* term = Eval(terms[k]).a;
        if (k + 1 == terms.size()) {
          incoming.emplace_back(term, b_.GetInsertBlock());
          b_.CreateBr(done);
          break;
        }
        BasicBlock* next = NewBlock(v.op == ir::Op::kAnd ? "and.rhs" : "or.rhs");
        incoming.emplace_back(b_.getInt1(v.op == ir::Op::kOr), b_.GetInsertBlock());
        if (v.op == ir::Op::kAnd) {
          b_.CreateCondBr(term, next, done);
        } else {
          b_.CreateCondBr(term, done, next);
        }
        b_.SetInsertPoint(next);
      }
      CloseScope(mark);
      b_.SetInsertPoint(done);
      llvm::PHINode* phi = b_.CreatePHI(i1_, static_cast<unsigned>(incoming.size()));
      for (auto [value, block] : incoming) phi->addIncoming(value, block);
      return Lowered{.a = phi};
    }
    case ir::Op::kOtherwise: {
      Lowered first = Eval(v.a);
      if (first.present == nullptr) return first;
      BasicBlock* from = b_.GetInsertBlock();
      BasicBlock* alt = NewBlock("otherwise");
      BasicBlock* done = NewBlock("otherwise.done");
      b_.CreateCondBr(first.present, done, alt);
      b_.SetInsertPoint(alt);
      size_t mark = OpenScope();
      Lowered second = Eval(v.b);
      CloseScope(mark);
      BasicBlock* alt_end = b_.GetInsertBlock();
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
      first.present = b_.getTrue();  // the edge from `from` is taken when it is present
      return Merge(first, from, second, alt_end, v.optional);
    }
    case ir::Op::kRowField: {
      // rows[table].cells + (row * rows[table].columns + column) * cell size
      Lowered row = Eval(v.a);
      Value* table = b_.CreateLShr(row.a, 32);
      Value* index = b_.CreateAnd(row.a, b_.getInt64(0xffffffff));
      Value* rows = b_.CreateInBoundsGEP(rows_ty_, EnvField(6), table);
      Value* cells = b_.CreateLoad(ptr_, b_.CreateStructGEP(rows_ty_, rows, 0));
      Value* columns = b_.CreateLoad(i64_, b_.CreateStructGEP(rows_ty_, rows, 1));
      Value* at = b_.CreateAdd(b_.CreateMul(index, columns), b_.getInt64(v.b));
      Value* cell =
          b_.CreateInBoundsGEP(i8_, cells, b_.CreateMul(at, b_.getInt64(CORDON_ABI_ROW_CELL_SIZE)));
      return FromRowCell(cell, v.kind, v.optional);
    }
    case ir::Op::kTableHas:
    case ir::Op::kTableFind:
    case ir::Op::kTableNear: {
      Lowered key = Eval(v.a);
      Value* row = nullptr;
      if (p_.tables[v.b].normalized && p_.values[v.a].kind == ir::Kind::kText) {
        static_assert(ir::kNoId == CORDON_ABI_NO_KEY);
        uint32_t index = ir::LookupKeyField(p_, key_slots_, v.a);
        auto* type = llvm::FunctionType::get(i64_, {ptr_, i32_, i32_, ptr_, i64_}, false);
        row = b_.CreateCall(type, EnvField(v.op == ir::Op::kTableNear ? 7 : 2),
                            {EnvField(0), b_.getInt32(v.b), b_.getInt32(index), key.a, key.b});
      } else {
        Value* cell = FillCell(key, p_.values[v.a].kind);
        auto* type = llvm::FunctionType::get(i64_, {ptr_, i32_, ptr_}, false);
        row = b_.CreateCall(type, EnvField(1), {EnvField(0), b_.getInt32(v.b), cell});
      }
      Value* found = b_.CreateICmpSGE(row, b_.getInt64(0));
      if (v.op == ir::Op::kTableHas) return Lowered{.a = found};
      Value* bits = b_.CreateSelect(found, b_.CreateOr(row, b_.getInt64(uint64_t{v.b} << 32)),
                                    b_.getInt64(0));
      return Lowered{.present = found, .a = bits};
    }
    // The rest: operands first, below.
    case ir::Op::kUpper:
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
    case ir::Op::kContains:
    case ir::Op::kStartsWith:
    case ir::Op::kIsSome:
    case ir::Op::kUnwrap:
    case ir::Op::kNot:
    case ir::Op::kNeg:
    case ir::Op::kAdd:
    case ir::Op::kSub:
    case ir::Op::kMul:
    case ir::Op::kDiv:
    case ir::Op::kDateAddDays:
    case ir::Op::kDateSubDays:
    case ir::Op::kDateDiff:
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
    case ir::Op::kIn:
    case ir::Op::kUnion:
    case ir::Op::kDifference:
    case ir::Op::kYear:
      break;
    case ir::Op::kIf: {
      // As kOtherwise: each branch in a block and a scope of its own, merged by phis.
      Value* condition = Eval(v.a).a;
      const ir::Value& pair = p_.values[v.b];
      BasicBlock* then_block = NewBlock("if.then");
      BasicBlock* else_block = NewBlock("if.else");
      BasicBlock* done = NewBlock("if.done");
      b_.CreateCondBr(condition, then_block, else_block);
      auto branch = [&](BasicBlock* block, ir::ValueId value, BasicBlock*& end) -> Lowered {
        b_.SetInsertPoint(block);
        size_t mark = OpenScope();
        Lowered out = Eval(value);
        CloseScope(mark);
        end = b_.GetInsertBlock();
        b_.CreateBr(done);
        return out;
      };
      BasicBlock* yes_end = nullptr;
      BasicBlock* no_end = nullptr;
      Lowered yes = branch(then_block, pair.a, yes_end);
      Lowered no = branch(else_block, pair.b, no_end);
      b_.SetInsertPoint(done);
      return Merge(yes, yes_end, no, no_end, v.optional);
    }
    case ir::Op::kElse:
      return Unsupported(v, id);  // read only through its kIf
    case ir::Op::kWith:
      return Unsupported(v, id);  // read only through its kReplace
    case ir::Op::kReplace: {
      const ir::Value& with = p_.values[v.b];
      Lowered text = Eval(v.a);
      Lowered from = Eval(with.a);
      Lowered to = Eval(with.b);
      return TextFunction(v, {text, from, to});
    }
    case ir::Op::kAsOf:
      return Lowered{.a = as_of_};
    case ir::Op::kBinder:
      // In the memo while its quantifier's loop body is lowered; anywhere else is a bug.
      return Unsupported(v, id);
    case ir::Op::kElemField: {
      Lowered element = Eval(v.a);
      const abi::RequestLayout& layout = layout_.elements[p_.values[v.a].enum_id];
      return LoadField(b_, element.a, layout.slots[v.b], v.optional);
    }
    case ir::Op::kAny:
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax:
      return Quantifier(v, id);
    case ir::Op::kTooDeep:
      CheckStatus(b_.getInt32(CORDON_EVAL_TOO_DEEP), id);
      return Zero(v.kind);
  }
  Lowered x = Eval(v.a);
  Lowered y = ir::TakesValueB(v.op) ? Eval(v.b) : Lowered{};
  // The helpers write {num, den} through their last two arguments and return 0, or return the
  // failure's status (helpers.c).
  auto arithmetic = [&](const char* helper, bool binary) -> Lowered {
    auto call = [&]() -> std::array<Value*, 3> {
      Value* out = EntryAlloca(pair_ty_);
      Value* status = binary ? b_.CreateCall(Helper(helper), {Spill(x), Spill(y), out})
                             : b_.CreateCall(Helper(helper), {Spill(x), out});
      Lowered result = Unspill(out);
      return {result.a, result.b, status};
    };
    std::array<Value*, 3> result{};
    if (auto it = shared_.find(id); it != shared_.end()) {
      BasicBlock* compute = NewBlock("shared.compute");
      BasicBlock* ready = NewBlock("shared.ready");
      b_.CreateCondBr(b_.CreateLoad(i1_, it->second.done), ready, compute);
      b_.SetInsertPoint(compute);
      std::array<Value*, 3> computed = call();
      for (unsigned i = 0; i < 3; ++i) {
        b_.CreateStore(computed[i], b_.CreateStructGEP(shared_ty_, it->second.result, i));
      }
      b_.CreateStore(b_.getTrue(), it->second.done);
      b_.CreateBr(ready);
      b_.SetInsertPoint(ready);
      for (unsigned i = 0; i < 3; ++i) {
        result[i] = b_.CreateLoad(shared_ty_->getElementType(i),
                                  b_.CreateStructGEP(shared_ty_, it->second.result, i));
      }
    } else {
      result = call();
    }
    CheckStatus(result[2], id);
    return Lowered{.a = result[0], .b = result[1]};
  };
  switch (v.op) {
    case ir::Op::kIsSome:
      return Lowered{.a = x.present ? x.present : b_.getTrue()};
    case ir::Op::kUnwrap:
      return Lowered{.a = x.a, .b = x.b};
    case ir::Op::kNot:
      return Lowered{.a = b_.CreateNot(x.a)};
    case ir::Op::kNeg:
      return arithmetic("cordon_h_neg", false);
    case ir::Op::kAdd:
      return arithmetic("cordon_h_add", true);
    case ir::Op::kSub:
      return arithmetic("cordon_h_sub", true);
    case ir::Op::kMul:
      return arithmetic("cordon_h_mul", true);
    case ir::Op::kDiv:
      return arithmetic("cordon_h_div", true);
    case ir::Op::kDateAddDays:
    case ir::Op::kDateSubDays: {
      // As ir::EvalOp: whole days, and the result must stay within 0001-9999. In 128 bits, as
      // the day count is a number: any count out of range fails, none wraps.
      Value* from = b_.CreateSExt(x.a, i128_);
      Value* day = v.op == ir::Op::kDateAddDays ? b_.CreateAdd(from, y.a) : b_.CreateSub(from, y.a);
      Value* bad = b_.CreateOr(b_.CreateICmpSLT(day, Int128Const(kFirstDay)),
                               b_.CreateICmpSGT(day, Int128Const(kLastDay)));
      CheckStatus(b_.CreateSelect(bad, b_.getInt32(CORDON_RATIONAL_OVERFLOW), b_.getInt32(0)), id);
      return Lowered{.a = b_.CreateTrunc(day, i64_)};
    }
    case ir::Op::kDateDiff:
      return Lowered{.a = b_.CreateSExt(b_.CreateSub(x.a, y.a), i128_), .b = Int128Const(1)};
    case ir::Op::kEq:
    case ir::Op::kNe:
    case ir::Op::kLt:
    case ir::Op::kLe:
    case ir::Op::kGt:
    case ir::Op::kGe:
      return Lowered{.a = Compare(v, x, y)};
    case ir::Op::kIn:
      switch (p_.values[v.b].kind) {
        case ir::Kind::kCountrySet: {
          Value* word =
              b_.CreateLoad(i64_, b_.CreateInBoundsGEP(i64_, y.a, {b_.CreateLShr(x.a, 6)}));
          Value* bit = b_.CreateAnd(b_.CreateLShr(word, b_.CreateAnd(x.a, 63)), 1);
          return Lowered{.a = b_.CreateICmpNE(bit, b_.getInt64(0))};
        }
        case ir::Kind::kEnumSet: {
          Value* bit = b_.CreateAnd(b_.CreateLShr(y.a, x.a), 1);
          return Lowered{.a = b_.CreateICmpNE(bit, b_.getInt64(0))};
        }
        case ir::Kind::kTextSet: {
          auto* type = llvm::FunctionType::get(i8_, {ptr_, ptr_, i64_}, false);
          Value* has = b_.CreateCall(type, EnvField(3), {y.a, x.a, x.b});
          return Lowered{.a = b_.CreateICmpNE(has, b_.getInt8(0))};
        }
        default:
          return Unsupported(v, id);
      }
    case ir::Op::kUnion:
    case ir::Op::kDifference: {
      bool add = v.op == ir::Op::kUnion;
      if (v.kind == ir::Kind::kEnumSet) {
        return Lowered{.a = add ? b_.CreateOr(x.a, y.a) : b_.CreateAnd(x.a, b_.CreateNot(y.a))};
      }
      return CountrySetOp(add, x, y);
    }
    case ir::Op::kUpper:
    case ir::Op::kLower:
    case ir::Op::kTrim:
    case ir::Op::kLength:
    case ir::Op::kContains:
    case ir::Op::kStartsWith:
      return TextFunction(v, {x, y, Lowered{}});
    case ir::Op::kYear:
      // helpers.c, over runtime/base/civil.h as ir::EvalOp: the same year from the same day.
      return Lowered{.a = b_.CreateSExt(b_.CreateCall(Helper("cordon_h_year"), {x.a}), i128_),
                     .b = Int128Const(1)};
    // Lowered above, before their operands.
    case ir::Op::kConst:
    case ir::Op::kSlot:
    case ir::Op::kAnd:
    case ir::Op::kOr:
    case ir::Op::kOtherwise:
    case ir::Op::kRowField:
    case ir::Op::kTableHas:
    case ir::Op::kTableFind:
    case ir::Op::kTableNear:
    case ir::Op::kIf:
    case ir::Op::kElse:
    case ir::Op::kAsOf:
    case ir::Op::kBinder:
    case ir::Op::kElemField:
    case ir::Op::kAny:
    case ir::Op::kAll:
    case ir::Op::kCount:
    case ir::Op::kSum:
    case ir::Op::kMin:
    case ir::Op::kMax:
    case ir::Op::kTooDeep:
    case ir::Op::kReplace:
    case ir::Op::kWith:
      break;
  }
  return Unsupported(v, id);
}

auto Lowerer::TextFunction(const ir::Value& v, std::array<Lowered, 3> args) -> Lowered {
  auto* text_ty = llvm::StructType::get(ctx_, {ptr_, i64_});
  Value* array = EntryAlloca(llvm::ArrayType::get(text_ty, 3));
  for (unsigned i = 0; i < 3; ++i) {
    Value* at = b_.CreateConstInBoundsGEP2_32(llvm::ArrayType::get(text_ty, 3), array, 0, i);
    b_.CreateStore(args[i].a != nullptr ? args[i].a : llvm::ConstantPointerNull::get(ptr_),
                   b_.CreateStructGEP(text_ty, at, 0));
    b_.CreateStore(args[i].b != nullptr ? args[i].b : b_.getInt64(0),
                   b_.CreateStructGEP(text_ty, at, 1));
  }
  Value* out = EntryAlloca(ptr_);
  auto* type = llvm::FunctionType::get(i64_, {ptr_, i32_, ptr_, ptr_}, false);
  Value* result = b_.CreateCall(
      type, EnvField(9), {EnvField(0), b_.getInt32(static_cast<uint32_t>(v.op)), array, out});
  switch (v.kind) {
    case ir::Kind::kText:
      return Lowered{.a = b_.CreateLoad(ptr_, out), .b = result};
    case ir::Kind::kBool:
      return Lowered{.a = b_.CreateICmpNE(result, b_.getInt64(0))};
    default:  // kLength: a whole number
      return Lowered{.a = b_.CreateSExt(result, i128_), .b = Int128Const(1)};
  }
}

// for (i = 0; i < count; ++i) { element = items + i * size; accumulate body }: the body in a
// scope of its own, so nothing computed from one element is reused for the next or after.
// `any` and `all` leave the loop at the first element that settles them, as the interpreter.
auto Lowerer::Quantifier(const ir::Value& v, ir::ValueId id) -> Lowered {
  const ir::Value& binder = p_.values[v.a];
  Lowered list = Eval(binder.a);
  const uint32_t size = layout_.elements[binder.enum_id].size;
  const bool logical = v.op == ir::Op::kAny || v.op == ir::Op::kAll;
  const bool extreme = v.op == ir::Op::kMin || v.op == ir::Op::kMax;
  BasicBlock* before = b_.GetInsertBlock();
  BasicBlock* head = NewBlock("each.head");
  BasicBlock* body = NewBlock("each.body");
  BasicBlock* latch = NewBlock("each.next");
  BasicBlock* done = NewBlock("each.done");
  b_.CreateBr(head);
  b_.SetInsertPoint(head);
  llvm::PHINode* index = b_.CreatePHI(i64_, 2);
  index->addIncoming(b_.getInt64(0), before);
  // The accumulator: a count or sum {num, den}; min/max also whether one was seen yet.
  llvm::PHINode* num = nullptr;
  llvm::PHINode* den = nullptr;
  llvm::PHINode* seen = nullptr;
  if (!logical) {
    num = b_.CreatePHI(i128_, 2);
    den = b_.CreatePHI(i128_, 2);
    num->addIncoming(Int128Const(0), before);
    den->addIncoming(Int128Const(1), before);
    if (extreme) {
      seen = b_.CreatePHI(i1_, 2);
      seen->addIncoming(b_.getFalse(), before);
    }
  }
  b_.CreateCondBr(b_.CreateICmpULT(index, list.b), body, done);
  b_.SetInsertPoint(body);
  size_t mark = OpenScope();
  Value* element = b_.CreateInBoundsGEP(i8_, list.a, b_.CreateMul(index, b_.getInt64(size)));
  memo_.emplace(v.a, Lowered{.a = element});
  memo_log_.push_back(v.a);
  Lowered x = Eval(v.b);
  Value* next_num = nullptr;
  Value* next_den = nullptr;
  Value* next_seen = nullptr;
  switch (v.op) {
    case ir::Op::kCount:
      next_num = b_.CreateAdd(num, b_.CreateZExt(x.a, i128_));
      next_den = den;
      break;
    case ir::Op::kSum: {
      Value* out = EntryAlloca(pair_ty_);
      Value* status = b_.CreateCall(Helper("cordon_h_add"),
                                    {Spill(Lowered{.a = num, .b = den}), Spill(x), out});
      Lowered sum = Unspill(out);
      next_num = sum.a;
      next_den = sum.b;
      CheckStatus(status, id);
      break;
    }
    case ir::Op::kMin:
    case ir::Op::kMax: {
      // As the interpreter: the first element, then any strictly less (greater) one.
      ir::Value order{.op = v.op == ir::Op::kMin ? ir::Op::kLt : ir::Op::kGt, .a = v.b};
      Value* better =
          b_.CreateOr(b_.CreateNot(seen), Compare(order, x, Lowered{.a = num, .b = den}));
      next_num = b_.CreateSelect(better, x.a, num);
      next_den = b_.CreateSelect(better, x.b, den);
      next_seen = b_.getTrue();
      break;
    }
    default:
      break;
  }
  CloseScope(mark);
  BasicBlock* body_end = b_.GetInsertBlock();
  if (logical) {
    // any: leave on true; all: leave on false.
    if (v.op == ir::Op::kAny) {
      b_.CreateCondBr(x.a, done, latch);
    } else {
      b_.CreateCondBr(x.a, latch, done);
    }
  } else {
    b_.CreateBr(latch);
  }
  b_.SetInsertPoint(latch);
  index->addIncoming(b_.CreateAdd(index, b_.getInt64(1)), latch);
  if (num != nullptr) {
    num->addIncoming(next_num, latch);
    den->addIncoming(next_den, latch);
  }
  if (seen != nullptr) seen->addIncoming(next_seen, latch);
  b_.CreateBr(head);
  b_.SetInsertPoint(done);
  if (logical) {
    // From the head: every element was visited (any: none held; all: all held).
    llvm::PHINode* result = b_.CreatePHI(i1_, 2);
    result->addIncoming(b_.getInt1(v.op == ir::Op::kAll), head);
    result->addIncoming(b_.getInt1(v.op == ir::Op::kAny), body_end);
    return Lowered{.a = result};
  }
  Lowered out{.a = num, .b = den};
  if (extreme) out.present = seen;
  return out;
}

// An op this lowerer cannot compile used to lower to `false`, and the rule silently never
// fired (fail-open). Now the policy is refused: Run reports it, and no evaluator is made.
auto Lowerer::Unsupported(const ir::Value& v, ir::ValueId id) -> Lowered {
  if (unsupported_.empty()) {
    unsupported_ = fmt::format("the evaluator cannot compile value v{} ({} of {})", id,
                               ir::OpName(v.op), ir::KindName(v.kind));
  }
  return Lowered{.a = b_.getFalse()};
}

// The optimiser's passes grow faster than linearly with the size of a function (a 2,000-rule
// evaluator in one function took 8 s at O2, 10,000 rules 277 s), so rules are lowered in
// chunks, one internal function each, which the evaluator calls in order. Rules share nothing
// (the memo starts afresh for each), so a chunk boundary changes no result.
constexpr uint32_t kRulesPerChunk = 64;

auto Lowerer::Run(uint32_t part, uint32_t parts) -> std::string {
  // A chunk takes the number of results written before it and returns the number after it.
  auto* chunk_type = llvm::FunctionType::get(i32_, {ptr_, i64_, ptr_, ptr_, i32_}, false);
  auto set_up = [&](llvm::Function* f) {
    f->addFnAttr(llvm::Attribute::NoUnwind);
    for (unsigned i : {0u, 2u, 3u}) f->addParamAttr(i, llvm::Attribute::NoAlias);
  };
  llvm::Function* eval = nullptr;
  if (part == 0) {
    auto* eval_type = llvm::FunctionType::get(i32_, {ptr_, i64_, ptr_, ptr_}, false);
    eval = llvm::Function::Create(eval_type, llvm::GlobalValue::ExternalLinkage, kEvalSymbol, m_);
    set_up(eval);
  }
  auto rules = static_cast<uint32_t>(p_.rules.size());
  uint32_t chunks = ChunkCount(p_);
  std::vector<llvm::Function*> chunk_fns;
  for (uint32_t c = 0; c < chunks; ++c) {
    fn_ = llvm::Function::Create(
        chunk_type,
        parts > 1 ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage,
        fmt::format("{}{}", kChunkPrefix, c), m_);
    set_up(fn_);
    // Inlined back, the chunks would make one huge function again.
    if (chunks > 1) fn_->addFnAttr(llvm::Attribute::NoInline);
    chunk_fns.push_back(fn_);
    // Another part's chunk stays a declaration here.
    if (uint64_t{c} * parts / chunks != part) continue;
    if (std::string problem =
            LowerRules(c * kRulesPerChunk, std::min(rules, (c + 1) * kRulesPerChunk));
        !problem.empty()) {
      return problem;
    }
  }
  if (!unsupported_.empty()) return unsupported_;
  if (eval == nullptr) return "";
  b_.SetInsertPoint(BasicBlock::Create(ctx_, "entry", eval));
  // The struct is checked here, where its fields are loaded anyway: the rules then trust it
  // as the interpreter trusts decoded slots.
  BasicBlock* bad = BasicBlock::Create(ctx_, "bad_request", eval);
  CheckRequestStruct(eval->getArg(0), bad);
  BasicBlock* decide = b_.GetInsertBlock();
  b_.SetInsertPoint(bad);
  b_.CreateRet(b_.getInt32(CORDON_ABI_BAD_REQUEST));
  b_.SetInsertPoint(decide);
  Value* count = b_.getInt32(0);
  for (llvm::Function* f : chunk_fns) {
    count = b_.CreateCall(
        f, {eval->getArg(0), eval->getArg(1), eval->getArg(2), eval->getArg(3), count});
  }
  b_.CreateRet(count);
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyFunction(*eval, &os)) return "the generated code does not verify: " + problems;
  return "";
}

// Lowers rules [first, last) into fn_, which must be empty.
auto Lowerer::LowerRules(uint32_t first, uint32_t last) -> std::string {
  slots_.clear();
  request_ = fn_->getArg(0);
  as_of_ = fn_->getArg(1);
  env_ = fn_->getArg(2);
  results_ = fn_->getArg(3);
  BasicBlock* entry = NewBlock("entry");
  b_.SetInsertPoint(entry);
  count_ = b_.CreateAlloca(i32_);
  b_.CreateStore(fn_->getArg(4), count_);
  FindSharedArithmetic(first, last);
  if (ir::MessageHoleCount(p_) != 0) hole_starts_ = ir::MessageHoleStarts(p_);
  for (uint32_t r = first; r < last; ++r) {
    const ir::Rule& rule = p_.rules[r];
    rule_ = r;
    memo_.clear();
    memo_log_.clear();
    BasicBlock* body = NewBlock("rule");
    next_rule_ = NewBlock("rule.next");
    OpenRecord();
    // In force when effective <= as_of < until, as the interpreter decides it.
    Value* in_force = b_.getTrue();
    if (rule.effective) {
      in_force = b_.CreateAnd(in_force, b_.CreateICmpSGE(as_of_, b_.getInt64(*rule.effective)));
    }
    if (rule.until) {
      in_force = b_.CreateAnd(in_force, b_.CreateICmpSLT(as_of_, b_.getInt64(*rule.until)));
    }
    b_.CreateCondBr(in_force, body, next_rule_);
    b_.SetInsertPoint(body);
    Value* when = Eval(rule.when).a;
    BasicBlock* fired = NewBlock("rule.fired");
    b_.CreateCondBr(when, fired, next_rule_);
    b_.SetInsertPoint(fired);
    uint32_t hole = hole_starts_.empty() ? 0 : hole_starts_[r] + rule.holes.size();
    for (uint32_t k = 0; k < rule.unless.size(); ++k) {
      size_t mark = OpenScope();
      Value* applies = Eval(rule.unless[k].condition).a;
      CloseScope(mark);
      BasicBlock* replaced = NewBlock("unless.applies");
      BasicBlock* next = NewBlock("unless.next");
      b_.CreateCondBr(applies, replaced, next);
      b_.SetInsertPoint(replaced);
      StoreHoles(rule.unless[k].holes, hole);
      hole += rule.unless[k].holes.size();
      Record(CORDON_RULE_FIRED, b_.getInt32(k), b_.getInt32(rule.unless[k].outcome),
             b_.getInt32(0));
      b_.SetInsertPoint(next);
    }
    if (!rule.holes.empty()) StoreHoles(rule.holes, hole_starts_[r]);
    Record(CORDON_RULE_FIRED, b_.getInt32(UINT32_MAX), b_.getInt32(rule.outcome), b_.getInt32(0));
    FinishRecord();
    b_.SetInsertPoint(next_rule_);
  }
  b_.CreateRet(b_.CreateLoad(i32_, count_));
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyFunction(*fn_, &os)) return "the generated code does not verify: " + problems;
  return "";
}

auto LinkHelpers(llvm::Module& module) -> std::string {
  llvm::StringRef bytes(reinterpret_cast<const char*>(cordon_helpers_bc), cordon_helpers_bc_size);
  auto helpers =
      llvm::parseBitcodeFile(llvm::MemoryBufferRef(bytes, "helpers.bc"), module.getContext());
  if (!helpers) return llvm::toString(helpers.takeError());
  (*helpers)->setTargetTriple(module.getTargetTriple());
  (*helpers)->setDataLayout(module.getDataLayout());
  if (llvm::Linker::linkModules(module, std::move(*helpers))) return "linking the helpers failed";
  for (llvm::Function& f : module) {
    if (!f.isDeclaration() && f.getName() != kEvalSymbol) {
      f.setLinkage(llvm::GlobalValue::InternalLinkage);
      // -ffreestanding marks the helpers "no-builtins", and LLVM never inlines such a function
      // into one without the mark: every comparison stayed a call.
      f.removeFnAttr("no-builtins");
    }
  }
  return "";
}

}  // namespace

auto Lower(const ir::Program& program, llvm::LLVMContext& context, const LowerOptions& options)
    -> ErrorOr<std::unique_ptr<llvm::Module>> {
  auto module = std::make_unique<llvm::Module>(
      program.modules.empty() ? "policy" : program.modules.back(), context);
  module->setTargetTriple(llvm::sys::getDefaultTargetTriple());
  // The helpers are declared by linking them first, so calls type-check against them.
  if (std::string problem = LinkHelpers(*module); !problem.empty()) {
    return Error{"internal error: " + problem};
  }
  if (options.parts == 0 || options.part >= options.parts ||
      (options.embed_program && options.parts != 1)) {
    return Error{"internal error: a module cannot be part " + std::to_string(options.part) +
                 " of " + std::to_string(options.parts)};
  }
  Lowerer lowerer(program, context, *module);
  lowerer.share_arithmetic_ = options.share_arithmetic;
  if (std::string problem = lowerer.Run(options.part, options.parts); !problem.empty()) {
    return Error{"internal error: " + problem};
  }
  llvm::Function* eval = module->getFunction(kEvalSymbol);
  if (options.embed_program) {
    // Only the descriptor is exported; the evaluator is reached through it.
    eval->setLinkage(llvm::GlobalValue::InternalLinkage);
    std::vector<uint8_t> bytes = ir::Serialize(program);
    llvm::Constant* blob = llvm::ConstantDataArray::get(context, bytes);
    auto* blob_var = new llvm::GlobalVariable(*module, blob->getType(), true,
                                              llvm::GlobalValue::PrivateLinkage, blob, "program");
    auto* i32 = llvm::Type::getInt32Ty(context);
    auto* i64 = llvm::Type::getInt64Ty(context);
    auto* ptr = llvm::PointerType::get(context, 0);
    auto* type = llvm::StructType::get(context, {i32, i32, i64, ptr, i64, ptr, i32, i32});
    const RequestLayout& layout = lowerer.layout();
    llvm::Constant* init =
        llvm::ConstantStruct::get(type, {llvm::ConstantInt::get(i32, CORDON_ABI_VERSION),
                                         llvm::ConstantInt::get(i32, program.rules.size()),
                                         llvm::ConstantInt::get(i64, ir::SchemaHash(program)),
                                         blob_var, llvm::ConstantInt::get(i64, bytes.size()), eval,
                                         llvm::ConstantInt::get(i32, layout.size),
                                         llvm::ConstantInt::get(i32, layout.align)});
    auto* descriptor =
        new llvm::GlobalVariable(*module, type, true, llvm::GlobalValue::ExternalLinkage, init,
                                 CORDON_ABI_DESCRIPTOR_SYMBOL);
    descriptor->setVisibility(llvm::GlobalValue::DefaultVisibility);
  }
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*module, &os)) {
    return Error{"internal error: the generated module does not verify: " + problems};
  }
  return module;
}

auto ChunkCount(const ir::Program& program) -> uint32_t {
  auto rules = static_cast<uint32_t>(program.rules.size());
  return std::max<uint32_t>(1, (rules + kRulesPerChunk - 1) / kRulesPerChunk);
}

}  // namespace cordon::lower
