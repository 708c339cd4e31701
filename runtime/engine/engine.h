// SPDX-License-Identifier: Apache-2.0
// An engine decides requests for one policy: by the reference interpreter, by code compiled in
// this process (JIT), or by a compiled .so (AOT). All three read tables through the same
// ir::TableData, share the JSON decoder, and build decisions the same way, so they can be
// compared request by request. `extern` tables can be swapped while other threads decide.
#ifndef CORDON_RUNTIME_ENGINE_ENGINE_H_
#define CORDON_RUNTIME_ENGINE_ENGINE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/abi/abi.h"
#include "runtime/abi/compiler_abi.h"
#include "runtime/abi/layout.h"
#include "runtime/base/date.h"
#include "runtime/base/error_or.h"
#include "runtime/interp/interp.h"
#include "runtime/ir/ir.h"
#include "runtime/ir/ops.h"
#include "runtime/ir/table_data.h"
#include "runtime/source/source_buffer.h"

namespace cordon::runtime {

enum class EngineKind : uint8_t { kInterp, kJit, kAot };
auto EngineKindName(EngineKind kind) -> const char*;

// How a JIT engine compiles (compiler/codegen/codegen.h describes the choices).
enum class JitSelector : uint8_t { kAuto, kFast, kFull };
struct JitOptions {
  JitSelector selector = JitSelector::kAuto;
  uint32_t threads = 0;  // 0: chosen by the policy's size
};

// The tables in force: replaced whole on a swap, never changed in place.
struct TableSet {
  std::vector<std::shared_ptr<const ir::TableData>> tables;
  std::vector<const ir::TableData*> views;
  std::vector<cordon_abi_rows> rows;  // where compiled code reads each table's rows

  explicit TableSet(size_t count) : tables(count), views(count), rows(count) {}
  // Puts `data` in force as table `table`.
  void Set(uint32_t table, std::shared_ptr<const ir::TableData> data);
};

class Engine;

// What a table decides with now: its rows' hash (ir::RowsHash: equal rows, equal hash), how many
// rows, and where they came from.
struct TableVersion {
  std::string name;
  bool is_extern = false;
  uint64_t rows = 0;
  uint64_t hash = 0;
  std::string source;    // the file or named CSV they were read from; "" if compiled in
  std::string modified;  // that file's modification time (UTC, ISO 8601), if read from a file
};

// How an engine opened from a .so treats the table files the policy was compiled from. By
// default it reads each file that is where the policy had it (or, with `dir`, the file of that
// name in `dir`): the same rows as compiled in, fine; other rows in an `extern` table are loaded
// in their place; other rows in any other table refuse the .so, naming the file and both
// versions. A file not found leaves the compiled rows. With `embedded`, no file is read.
struct LibraryTables {
  bool embedded = false;
  std::string dir;
};

// Where the checks of a host-filled request struct look, made once per engine and grouped by
// check, so that each loop over them is short and its branches predictable.
struct StructChecks {
  struct Field {
    uint32_t slot;
    uint32_t offset;
    uint32_t presence;  // offset of the presence byte, or ir::kNoId
    uint32_t limit;     // enums: the number of values; lists: their shape
  };
  std::vector<Field> presence;  // optional slots: the presence byte is 0 or 1
  std::vector<Field> bools, numbers, integers, dates, countries, enums, enum_sets, texts,
      country_sets, text_sets, lists;
};

// Per-thread scratch for deciding. A session belongs to one engine and is used by one thread at
// a time; it owns no table, only a hazard pointer to the set it is reading.
class Session {
 public:
  explicit Session(Engine& engine);
  ~Session();
  Session(const Session&) = delete;
  auto operator=(const Session&) -> Session& = delete;

  auto engine() const -> Engine& { return engine_; }

  // With `on`, each Decide records the rows hash (ir::TableData::rows_hash) of every table in
  // force for it, in the policy's order: a decision log names the exact rows a decision read,
  // even when a swap lands mid-request.
  void set_record_tables(bool on) { record_tables_ = on; }
  auto table_hashes() const -> std::span<const uint64_t> { return table_hashes_; }

  // What the table callbacks of one compiled decision read.
  // Texts the text functions make in a compiled decision (env.text_op), kept until it ends.
  class TextScratch : public ir::SetStorage {
   public:
    auto NewCountrySet() -> ir::CountrySet* override { return &sets_.emplace_back(); }
    auto NewText(size_t size) -> char* override;
    void Reset() { used_ = 0; }

   private:
    std::deque<std::string> texts_;
    size_t used_ = 0;
    std::deque<ir::CountrySet> sets_;  // never asked for: no text function makes a set
  };
  struct Lookup {
    const TableSet* tables = nullptr;
    ir::FieldLookups names;  // by the ABI's key index, which is the field's in LookupKeySlots
    TextScratch texts;
  };

  // Decides decoded request slots. With `trace`, the reference interpreter also records why
  // each rule did or did not fire (the decision itself is still the engine's).
  void Decide(std::span<const ir::Datum> slots, DayNumber as_of, interp::Decision& out,
              interp::Trace* trace = nullptr);
  // Decides a request already packed in the engine's request struct (compiled engines). A
  // struct with a value no request could hold (a country or enum out of range, a zero
  // denominator, a null text) is refused: the decision is `error` with the reason.
  // `next`: the struct the next call will decide (a batch's next request), whose names start
  // being fetched now, or null.
  void DecideStruct(const void* request, DayNumber as_of, interp::Decision& out,
                    const void* next = nullptr);
  // The first field of a request struct that no request could hold, in words ("$.kind: 7 is
  // not a value of `Kind` (it has 2)"); "" when there is none. DecideStruct's message.
  auto CheckStruct(const uint8_t* request) const -> std::string;
  // A list field and the element of it being checked, for the path of a wrong field.
  struct ElementStep {
    const abi::SlotLayout* list = nullptr;
    uint64_t index = 0;
  };
  auto CheckRecord(const StructChecks& checks, const abi::RequestLayout& layout,
                   const uint8_t* request, std::span<ElementStep> trail, uint32_t depth) const
      -> std::string;

 private:
  friend class Engine;
  auto Acquire() -> const TableSet*;
  void Release();
  // False when the evaluator refused the struct (CORDON_ABI_BAD_REQUEST).
  auto RunCompiled(const void* request, DayNumber as_of, interp::Decision& out,
                   const void* next = nullptr) -> bool;
  // DecideStruct's `next`: starts fetching its key texts.
  void PrefetchNext(const uint8_t* next) const;
  // Writes a compiled decision's fired rule's message with its holes filled (Reason::text).
  void FillHoles(interp::Reason& reason);
  // The versions of the tables this decision read, for its trace.
  void TraceTables(interp::Trace& trace) const;
  // Makes `out` the `error` decision for a refused struct, naming the field.
  void Refuse(const uint8_t* request, interp::Decision& out) const;
  // A day past the policy's review date (Program::reviewed) is decided as of the review date.
  // True past the grace period too, with the decision's error in `error`.
  auto PastGrace(DayNumber as_of, std::string& error) const -> bool;
  static void NoteReview(DayNumber as_of, bool past_grace, std::string error,
                         interp::Decision& out);

  Engine& engine_;
  std::atomic<const TableSet*> hazard_{nullptr};
  const TableSet* tables_ = nullptr;
  interp::Interpreter interp_;
  std::vector<uint8_t> packed_;      // 8-aligned request struct
  abi::PackArena pack_arena_;        // its lists' elements
  std::vector<ir::Datum> unpacked_;  // a host's struct as slots, for the interpreter
  abi::UnpackArena unpack_arena_;
  std::vector<uint8_t> reviewed_;  // a host's struct with `as_of` moved to the review date
  std::vector<ir::Datum> moved_;   // decoded slots with `as_of` moved to the review date
  std::vector<cordon_abi_result> results_;
  std::vector<cordon_abi_cell> hole_cells_;  // env_.holes
  std::vector<ir::Datum> hole_values_;
  Lookup lookup_;
  cordon_abi_env env_;  // all but `rows` fixed for the session's life
  bool record_tables_ = false;
  std::vector<uint64_t> table_hashes_;
};

class Engine {
 public:
  // An engine over a checked program, which must outlive it. kAot compiles the program to a
  // temporary .so and loads that, so every engine can be had from rule files alone. kJit and
  // kAot need the compiler (compiler_link.h). `jit`: for kJit, how to compile (threads,
  // pipeline); the defaults choose by the policy.
  static auto FromProgram(const ir::Program& program, EngineKind kind, const JitOptions& jit = {})
      -> ErrorOr<std::unique_ptr<Engine>>;
  // The same over a program the engine then owns.
  static auto FromOwnedProgram(std::unique_ptr<ir::Program> program, EngineKind kind,
                               const JitOptions& jit = {}) -> ErrorOr<std::unique_ptr<Engine>>;
  // Checks rule files (a policy: files or directories with policy.cordon) with the compiler and
  // opens an engine that owns the program. Rule-file errors come back as one ErrorKind::kPolicy
  // error holding every diagnostic, rendered as `cordon check` would.
  static auto FromRuleFiles(const std::vector<std::string>& roots,
                            const std::vector<std::string>& module_path, EngineKind kind)
      -> ErrorOr<std::unique_ptr<Engine>>;
  // A .so written by `cordon compile -o`, checked whole (its checksum) before it is loaded. With
  // `expected_schema_hash`, refuses a .so built from a policy with another request schema; with
  // `expected_policy_hash` (ir::PolicyHash), one built from other rules or other table rows.
  // Then the table files, as `tables` says.
  static auto FromLibrary(const std::string& path, std::optional<uint64_t> expected_schema_hash,
                          std::optional<uint64_t> expected_policy_hash = std::nullopt,
                          const LibraryTables& tables = {}) -> ErrorOr<std::unique_ptr<Engine>>;
  // A bundle written by `cordon compile --bundle` (bundle.h), for kInterp (no compiler needed)
  // or kJit. The expected hashes work as for FromLibrary.
  static auto FromBundle(const std::string& path, EngineKind kind,
                         std::optional<uint64_t> expected_schema_hash = std::nullopt,
                         std::optional<uint64_t> expected_policy_hash = std::nullopt)
      -> ErrorOr<std::unique_ptr<Engine>>;
  ~Engine();

  auto kind() const -> EngineKind { return kind_; }
  auto program() const -> const ir::Program& { return *program_; }
  auto layout() const -> const abi::RequestLayout& { return layout_; }
  auto schema_hash() const -> uint64_t { return schema_hash_; }
  // ir::PolicyHash of the program this engine decides with (its rules and initial tables).
  auto policy_hash() const -> uint64_t { return policy_hash_; }
  // The day a request without its own `as_of` is decided for: today, or 0 without reading the
  // clock when no decision depends on its day (ir::ReadsDay).
  auto DefaultDay() const -> DayNumber { return reads_day_ ? Today() : 0; }
  // The day a request struct is decided for: its `as_of` field, else DefaultDay().
  auto StructDay(const void* request) const -> DayNumber;

  auto FindTable(std::string_view name) const -> std::optional<uint32_t>;
  // Replaces the rows of one `extern` table for every later decision; deciding threads never
  // wait. Returns once no session still reads the old rows, which are then freed. Serialised
  // with other swaps. Refuses (and changes nothing) when `data` was built for another table.
  auto SwapTable(uint32_t table, std::shared_ptr<const ir::TableData> data) -> std::optional<Error>;
  // Reads `csv` (named `source_name` in messages) as the new rows of table `name` and swaps
  // them in. On any bad row nothing changes, and the error lists each problem at
  // source_name:line:col.
  auto SwapTableCsv(std::string_view name, std::string csv, std::string source_name)
      -> std::optional<Error>;
  // The same from the file at `path`. A file changed while it is read is refused, and the table
  // keeps its rows.
  auto SwapTableFile(std::string_view name, const std::string& path) -> std::optional<Error>;
  // Every table's version now, in the policy's order.
  auto TableVersions() const -> std::vector<TableVersion>;

 private:
  friend class Session;
  Engine() = default;
  void Init();
  // Rows for table `table` read from a CSV text (`source` named `source_name` in messages), or
  // the error listing every bad row.
  auto ReadTable(uint32_t table, std::shared_ptr<const SourceBuffer> source,
                 const std::string& source_name) const -> ErrorOr<std::shared_ptr<ir::TableData>>;
  // The same from a file, with its modification time; refused when it changed while read.
  auto ReadTableFile(uint32_t table, const std::string& path) const
      -> ErrorOr<std::shared_ptr<ir::TableData>>;
  // FromLibrary's table files (LibraryTables).
  auto LoadTableFiles(const std::string& library, const LibraryTables& tables)
      -> std::optional<Error>;

  EngineKind kind_ = EngineKind::kInterp;
  std::unique_ptr<ir::Program> owned_;  // from rule files, or deserialised from a .so
  const ir::Program* program_ = nullptr;
  abi::RequestLayout layout_;
  StructChecks struct_checks_;
  std::vector<StructChecks> element_checks_;  // by list shape
  uint64_t schema_hash_ = 0;
  uint64_t policy_hash_ = 0;
  bool reads_day_ = true;
  uint32_t hole_count_ = 0;
  std::vector<uint32_t> hole_starts_;  // ir::MessageHoleStarts, when some message has holes
  cordon_abi_eval_fn eval_ = nullptr;
  const cordon_compiler_api* compiler_ = nullptr;  // the JIT's, for jit_free
  void* jit_ = nullptr;
  void* library_ = nullptr;  // dlopen handle
  int library_fd_ = -1;      // the memfd it was loaded from, open while it is loaded
  std::vector<const void*> constant_sets_;
  // Where the request struct holds a text that a table lookup takes as its key.
  std::vector<uint32_t> key_texts_;

  std::atomic<const TableSet*> current_{nullptr};
  bool asymmetric_fence_ = false;  // hazard pointers with membarrier(2) (engine.cpp)
  mutable std::mutex writers_;     // swaps, and the session list
  std::vector<Session*> sessions_;
};

}  // namespace cordon::runtime

#endif  // CORDON_RUNTIME_ENGINE_ENGINE_H_
