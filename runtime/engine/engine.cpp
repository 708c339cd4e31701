// SPDX-License-Identifier: Apache-2.0
#include "runtime/engine/engine.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <sstream>
#include <thread>

#include "runtime/base/countries.h"
#include "runtime/base/date.h"
#include "runtime/base/names.h"
#include "runtime/base/rational.h"
#include "runtime/diagnostics/diagnostics.h"
#include "runtime/engine/bundle.h"
#include "runtime/engine/compiler_link.h"
#include "runtime/ir/ops.h"
#include "runtime/ir/serialize.h"
#include "runtime/tables/table_rows.h"

namespace cordon::runtime {
namespace {

// A cell has a member for each payload; a Datum holds the one its kind reads (ir::PayloadOf).
auto ToDatum(const cordon_abi_cell& cell, ir::Kind kind) -> ir::Datum {
  ir::Datum d{.kind = kind, .present = cell.present != 0};
  switch (ir::PayloadOf(kind)) {
    case ir::Payload::kNumber:
      d.number = Number{cell.num, cell.den};
      break;
    case ir::Payload::kText:
      d.text = std::string_view(cell.text == nullptr ? "" : cell.text, cell.text_size);
      break;
    case ir::Payload::kSet:
      d.set = cell.set;
      break;
    case ir::Payload::kBits:
      d.bits = cell.bits;
      break;
  }
  return d;
}

// The generated code reads rows in place, at the offsets abi.h gives.
static_assert(sizeof(ir::Datum) == CORDON_ABI_ROW_CELL_SIZE);
static_assert(offsetof(ir::Datum, present) == CORDON_ABI_ROW_CELL_PRESENT);
static_assert(offsetof(ir::Datum, bits) == CORDON_ABI_ROW_CELL_BITS);
static_assert(offsetof(ir::Datum, set) == CORDON_ABI_ROW_CELL_SET);
static_assert(offsetof(ir::Datum, number) + offsetof(Number, num) == CORDON_ABI_ROW_CELL_NUM);
static_assert(offsetof(ir::Datum, number) + offsetof(Number, den) == CORDON_ABI_ROW_CELL_DEN);
static_assert(offsetof(ir::Datum, text) + ir::TextView::SizeOffset() ==
              CORDON_ABI_ROW_CELL_TEXT_SIZE);
static_assert(offsetof(ir::Datum, text) + ir::TextView::DataOffset() == CORDON_ABI_ROW_CELL_TEXT);

// The callbacks the generated code reaches tables through (runtime/abi/abi.h).
auto EnvFind(void* self, uint32_t table, const cordon_abi_cell* key) -> int64_t {
  const auto* lookup = static_cast<const Session::Lookup*>(self);
  const ir::TableData& data = *lookup->tables->views[table];
  return data.Find(ToDatum(*key, data.schema().columns[0].kind));
}

auto EnvFindName(void* self, uint32_t table, uint32_t key, const char* text, uint64_t size)
    -> int64_t {
  auto* lookup = static_cast<Session::Lookup*>(self);
  // CORDON_ABI_NO_KEY is FieldLookups::kNoField; so is an index no request field has (a policy
  // built for another schema is refused on opening, so only a corrupt one gets here).
  static_assert(CORDON_ABI_NO_KEY == ir::FieldLookups::kNoField);
  return lookup->names.Find(*lookup->tables->views[table], table, key,
                            std::string_view(text == nullptr ? "" : text, size));
}

auto EnvFindNear(void* self, uint32_t table, uint32_t key, const char* text, uint64_t size)
    -> int64_t {
  auto* lookup = static_cast<Session::Lookup*>(self);
  return lookup->names.Find(*lookup->tables->views[table], table, key,
                            std::string_view(text == nullptr ? "" : text, size), true);
}

auto EnvTextOp(void* self, uint32_t op, const cordon_abi_text* args, const char** out) -> int64_t {
  auto* lookup = static_cast<Session::Lookup*>(self);
  auto view = [&](int i) {
    return std::string_view(args[i].data == nullptr ? "" : args[i].data, args[i].size);
  };
  ir::Datum d;
  ir::EvalText(static_cast<ir::Op>(op), view(0), view(1), view(2), lookup->texts, d);
  switch (d.kind) {
    case ir::Kind::kText:
      *out = d.text.data();
      return static_cast<int64_t>(d.text.size());
    case ir::Kind::kNumber:
      return static_cast<int64_t>(d.number.num);
    default:
      return d.bits;
  }
}

auto EnvTextSetHas(const void* set, const char* text, uint64_t size) -> uint8_t {
  if (set == nullptr) return 0;
  return ir::TextSetHas(*static_cast<const ir::TextSet*>(set), std::string_view(text, size)) ? 1
                                                                                             : 0;
}

auto EnvTextSetEqual(const void* a, const void* b) -> uint8_t {
  static const ir::TextSet kEmpty;
  const auto* x = a == nullptr ? &kEmpty : static_cast<const ir::TextSet*>(a);
  const auto* y = b == nullptr ? &kEmpty : static_cast<const ir::TextSet*>(b);
  return x->sorted == y->sorted ? 1 : 0;
}

}  // namespace

void TableSet::Set(uint32_t table, std::shared_ptr<const ir::TableData> data) {
  tables[table] = std::move(data);
  views[table] = tables[table].get();
  const ir::Rows& cells = views[table]->rows();
  rows[table] = cordon_abi_rows{.cells = reinterpret_cast<const uint8_t*>(cells.cells()),
                                .columns = cells.columns()};
}

namespace {

// The hazard pointers' fence, made asymmetric: a deciding thread publishes its hazard with a
// plain store, and a swapping thread, which is rare, makes every thread of the process execute a
// full barrier (membarrier(2)) before it reads the hazards. Without the call (Linux before 4.14,
// or a sandbox that forbids it), and under ThreadSanitizer, which cannot see such a barrier,
// both sides use sequentially consistent atomics instead.
auto AsymmetricFence() -> bool {
#if defined(__SANITIZE_THREAD__)
  return false;
#else
  static const bool kAvailable = [] {
    long commands = syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    return commands >= 0 && (commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
           syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
  }();
  return kAvailable;
#endif
}

auto StatusMessage(uint32_t status) -> const char* {
  if (status == CORDON_EVAL_TOO_DEEP) return ir::kTooDeepMessage;
  return ir::EvalStatusMessage(status == CORDON_RATIONAL_DIVISION_BY_ZERO
                                   ? ir::EvalStatus::kDivisionByZero
                                   : ir::EvalStatus::kOverflow);
}

// dlopen maps a file without checking that it is whole: a truncated .so crashes the process
// (SIGBUS) when a segment past the end is touched, and flipped code bytes run. So check the ELF
// headers against the file size and the whole file against its trailer (abi.h) first, and say
// what is wrong.
auto CheckElf(std::span<const uint8_t> bytes) -> std::string {
  Elf64_Ehdr eh;
  if (bytes.size() < sizeof eh) return "it is too short to be a shared object";
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return "it is not an ELF file";
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 || eh.e_type != ET_DYN) {
    return "it is not an x86-64 shared object";
  }
  uint64_t size = bytes.size();
  auto beyond = [&](uint64_t offset, uint64_t length) {
    return offset > size || length > size - offset;
  };
  if (eh.e_phentsize != sizeof(Elf64_Phdr) ||
      beyond(eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr))) {
    return "it is truncated or corrupt (program headers)";
  }
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_LOAD && beyond(ph.p_offset, ph.p_filesz)) {
      return fmt::format("it is truncated: a segment ends at byte {}, the file at {}",
                         ph.p_offset + ph.p_filesz, size);
    }
  }
  if (eh.e_shnum != 0 && beyond(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr))) {
    return "it is truncated or corrupt (section headers)";
  }
  const size_t magic = sizeof(CORDON_FILE_TRAILER_MAGIC) - 1;
  if (size < CORDON_FILE_TRAILER_SIZE || std::memcmp(bytes.data() + size - CORDON_FILE_TRAILER_SIZE,
                                                     CORDON_FILE_TRAILER_MAGIC, magic) != 0) {
    return "it does not end in Cordon's checksum (it was not written by `cordon compile`, or it "
           "was stripped or cut short)";
  }
  uint64_t stored = 0;
  for (size_t i = 0; i < 8; ++i) {
    stored |= uint64_t{bytes[size - 8 + i]} << (8 * i);
  }
  if (ir::Fnv1a(bytes.first(size - CORDON_FILE_TRAILER_SIZE)) != stored) {
    return "it is corrupt: its bytes do not match the checksum it was written with";
  }
  return "";
}

// Reads a regular file whole, refusing anything larger than a policy can be.
auto ReadLibrary(const std::string& path, std::vector<uint8_t>& bytes) -> std::optional<Error> {
  constexpr uint64_t kMaxLibraryBytes = uint64_t{1} << 30;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return Error{fmt::format("cannot load {}: {}", path, std::strerror(errno)), ErrorKind::kIo};
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Error{fmt::format("cannot load {}: not a regular file", path), ErrorKind::kIo};
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxLibraryBytes) {
    close(fd);
    return Error{fmt::format("cannot load {}: {} bytes, more than a compiled policy may be ({})",
                             path, st.st_size, kMaxLibraryBytes),
                 ErrorKind::kNotAPolicy};
  }
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t used = 0;
  while (used < bytes.size()) {
    ssize_t n = read(fd, bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  close(fd);
  bytes.resize(used);
  return std::nullopt;
}

// dlopen of the very bytes that were checked, from an anonymous file: a .so replaced on disk
// after the check cannot slip in, and a .so recompiled at the same path is a new object to the
// loader (which caches by path and inode) instead of the old code. `fd` stays open while the
// library is loaded: the loader also matches by name, and a reused /proc/self/fd/N would hand
// back the library loaded before under that name.
// Without /proc (a bare chroot), the same bytes go to a private temporary file of a unique name
// instead, unlinked once loaded.
auto OpenCheckedFromTempFile(std::span<const uint8_t> bytes, std::string& why) -> void* {
  std::string name = (std::filesystem::temp_directory_path() / "cordon-policy-XXXXXX").string();
  int fd = mkstemp(name.data());
  if (fd < 0) {
    why = fmt::format("cannot write a private copy to load: {}", std::strerror(errno));
    return nullptr;
  }
  bool written = write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  close(fd);
  void* handle = nullptr;
  if (written) {
    handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* error = dlerror();
      why = error == nullptr ? "unknown error" : error;
    }
  } else {
    why = "cannot write a private copy to load";
  }
  unlink(name.c_str());
  return handle;
}

auto OpenChecked(std::span<const uint8_t> bytes, std::string& why, int& memfd) -> void* {
  std::error_code ec;
  if (!std::filesystem::is_directory("/proc/self/fd", ec)) {
    return OpenCheckedFromTempFile(bytes, why);
  }
  int fd = memfd_create("cordon-policy", MFD_CLOEXEC);
  if (fd < 0) return OpenCheckedFromTempFile(bytes, why);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      why = fmt::format("cannot copy it to memory: {}", std::strerror(errno));
      close(fd);
      return nullptr;
    }
    done += static_cast<size_t>(n);
  }
  std::string name = fmt::format("/proc/self/fd/{}", fd);
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    why = error == nullptr ? "unknown error" : error;
    close(fd);
    return nullptr;
  }
  memfd = fd;
  return handle;
}

}  // namespace

namespace {

// What CheckStruct reads of a record's slots (the request's, or a list element's), by check.
auto BuildStructChecks(const ir::Program& program, const abi::RequestLayout& layout)
    -> StructChecks {
  StructChecks checks;
  for (uint32_t i = 0; i < layout.slots.size(); ++i) {
    const abi::SlotLayout& slot = layout.slots[i];
    StructChecks::Field f{.slot = i,
                          .offset = slot.offset,
                          .presence = slot.optional ? slot.presence : ir::kNoId,
                          .limit = 0};
    if (slot.optional) checks.presence.push_back(f);
    if (slot.is_record_presence) continue;
    if (slot.enum_id != ir::kNoId) {
      f.limit = static_cast<uint32_t>(program.enums[slot.enum_id].values.size());
    }
    switch (slot.kind) {
      case ir::Kind::kBool:
        checks.bools.push_back(f);
        break;
      case ir::Kind::kNumber:
        (slot.integer ? checks.integers : checks.numbers).push_back(f);
        break;
      case ir::Kind::kDate:
        checks.dates.push_back(f);
        break;
      case ir::Kind::kCountry:
        checks.countries.push_back(f);
        break;
      case ir::Kind::kEnum:
        checks.enums.push_back(f);
        break;
      case ir::Kind::kEnumSet:
        checks.enum_sets.push_back(f);
        break;
      case ir::Kind::kText:
        checks.texts.push_back(f);
        break;
      case ir::Kind::kCountrySet:
        checks.country_sets.push_back(f);
        break;
      case ir::Kind::kTextSet:
        checks.text_sets.push_back(f);
        break;
      case ir::Kind::kList:
        f.limit = slot.list;
        checks.lists.push_back(f);
        break;
      case ir::Kind::kRow:
      case ir::Kind::kElement:
        break;
    }
  }
  return checks;
}

}  // namespace

auto EngineKindName(EngineKind kind) -> const char* {
  switch (kind) {
    case EngineKind::kInterp:
      return "interp";
    case EngineKind::kJit:
      return "jit";
    case EngineKind::kAot:
      return "aot";
  }
  return "?";
}

void Engine::Init() {
  asymmetric_fence_ = AsymmetricFence();
  layout_ = abi::LayoutRequest(*program_);
  struct_checks_ = BuildStructChecks(*program_, layout_);
  for (const abi::RequestLayout& element : layout_.elements) {
    element_checks_.push_back(BuildStructChecks(*program_, element));
  }
  for (ir::SlotId slot : ir::LookupKeySlots(*program_)) {
    key_texts_.push_back(layout_.slots[slot].offset);
  }
  schema_hash_ = ir::SchemaHash(*program_);
  policy_hash_ = ir::PolicyHash(*program_);
  reads_day_ = ir::ReadsDay(*program_);
  hole_count_ = ir::MessageHoleCount(*program_);
  if (hole_count_ != 0) hole_starts_ = ir::MessageHoleStarts(*program_);
  auto* set = new TableSet(program_->tables.size());
  for (uint32_t t = 0; t < program_->tables.size(); ++t) {
    const ir::Table& table = program_->tables[t];
    set->Set(t, std::make_shared<const ir::TableData>(table, table.rows));
  }
  current_.store(set);
  constant_sets_.assign(program_->constants.size(), nullptr);
  for (size_t c = 0; c < program_->constants.size(); ++c) {
    if (program_->constants[c].kind == ir::Kind::kTextSet) {
      constant_sets_[c] = program_->constants[c].set;
    }
  }
}

namespace {

// The compiler's bytes as a string, freed.
auto TakeMessage(const cordon_compiler_api& api, cordon_compiler_bytes& bytes) -> std::string {
  std::string text(reinterpret_cast<const char*>(bytes.data), bytes.size);
  api.bytes_free(&bytes);
  return text;
}

auto KindOfCompilerStatus(uint32_t status) -> ErrorKind {
  switch (status) {
    case CORDON_COMPILER_POLICY:
      return ErrorKind::kPolicy;
    case CORDON_COMPILER_IO:
      return ErrorKind::kIo;
    default:
      return ErrorKind::kOther;
  }
}

}  // namespace

auto Engine::FromProgram(const ir::Program& program, EngineKind kind, const JitOptions& jit_options)
    -> ErrorOr<std::unique_ptr<Engine>> {
  std::unique_ptr<Engine> engine(new Engine());
  engine->kind_ = kind;
  engine->program_ = &program;
  if (kind == EngineKind::kJit || kind == EngineKind::kAot) {
    ErrorOr<const cordon_compiler_api*> linked = LinkCompiler();
    if (!linked.ok()) return linked.error();
    const cordon_compiler_api& api = **linked;
    std::vector<uint8_t> bytes = ir::Serialize(program);
    cordon_compiler_bytes message{};
    if (kind == EngineKind::kJit) {
      uint32_t selector = jit_options.selector == JitSelector::kFast ? CORDON_COMPILER_SELECTOR_FAST
                          : jit_options.selector == JitSelector::kFull
                              ? CORDON_COMPILER_SELECTOR_FULL
                              : CORDON_COMPILER_SELECTOR_AUTO;
      uint32_t status = api.jit(bytes.data(), bytes.size(), selector, jit_options.threads,
                                &engine->jit_, &engine->eval_, &message);
      if (status != CORDON_COMPILER_OK) {
        return Error{TakeMessage(api, message), KindOfCompilerStatus(status)};
      }
      engine->compiler_ = &api;
    } else {
      static std::atomic<int> counter{0};
      std::filesystem::path path =
          std::filesystem::temp_directory_path() /
          fmt::format("cordon-{}-{}.so", static_cast<long>(getpid()), counter++);
      uint32_t status = api.write_shared_object(bytes.data(), bytes.size(), path.c_str(), &message);
      if (status != CORDON_COMPILER_OK) {
        return Error{TakeMessage(api, message), KindOfCompilerStatus(status)};
      }
      // The program's own rows, just read by the caller: no table file is read again.
      ErrorOr<std::unique_ptr<Engine>> loaded =
          FromLibrary(path.string(), ir::SchemaHash(program), ir::PolicyHash(program),
                      LibraryTables{.embedded = true});
      std::error_code ignored;
      std::filesystem::remove(path, ignored);  // the mapping stays valid after the file is gone
      return loaded;
    }
  }
  engine->Init();
  return engine;
}

auto Engine::FromOwnedProgram(std::unique_ptr<ir::Program> program, EngineKind kind,
                              const JitOptions& jit) -> ErrorOr<std::unique_ptr<Engine>> {
  ErrorOr<std::unique_ptr<Engine>> engine = FromProgram(*program, kind, jit);
  if (!engine.ok()) return engine.error();
  // An AOT engine already owns the program it read back from its .so.
  if ((*engine)->owned_ == nullptr) (*engine)->owned_ = std::move(program);
  return engine;
}

auto Engine::FromRuleFiles(const std::vector<std::string>& roots,
                           const std::vector<std::string>& module_path, EngineKind kind)
    -> ErrorOr<std::unique_ptr<Engine>> {
  ErrorOr<const cordon_compiler_api*> linked = LinkCompiler();
  if (!linked.ok()) return linked.error();
  const cordon_compiler_api& api = **linked;
  std::vector<const char*> root_ptrs;
  for (const std::string& root : roots) root_ptrs.push_back(root.c_str());
  std::vector<const char*> path_ptrs;
  for (const std::string& dir : module_path) path_ptrs.push_back(dir.c_str());
  cordon_compiler_check_args args{.roots = root_ptrs.data(),
                                  .root_count = root_ptrs.size(),
                                  .module_path = path_ptrs.data(),
                                  .module_path_count = path_ptrs.size()};
  cordon_compiler_bytes out{};
  uint32_t status = api.check(&args, &out);
  if (status != CORDON_COMPILER_OK) {
    return Error{TakeMessage(api, out), KindOfCompilerStatus(status)};
  }
  ErrorOr<ir::Program> program = ir::Deserialize(std::span<const uint8_t>(out.data, out.size));
  api.bytes_free(&out);
  if (!program.ok()) {
    return Error{fmt::format("the compiler's program cannot be read: {}", program.error().message)};
  }
  return FromOwnedProgram(std::make_unique<ir::Program>(std::move(*program)), kind);
}

auto Engine::FromBundle(const std::string& path, EngineKind kind,
                        std::optional<uint64_t> expected_schema_hash,
                        std::optional<uint64_t> expected_policy_hash)
    -> ErrorOr<std::unique_ptr<Engine>> {
  if (kind == EngineKind::kAot) {
    return Error{
        fmt::format("{}: a bundle runs on the interpreter or the JIT; an AOT engine "
                    "loads a .so from `cordon compile -o`",
                    path)};
  }
  std::vector<uint8_t> bytes;
  if (std::optional<Error> failed = ReadLibrary(path, bytes)) return *failed;
  ErrorOr<ir::Program> program = ReadBundle(bytes, path);
  if (!program.ok()) return program.error();
  auto owned = std::make_unique<ir::Program>(std::move(*program));
  if (expected_schema_hash && *expected_schema_hash != ir::SchemaHash(*owned)) {
    return Error{fmt::format("{} was compiled from another policy: its schema hash is {:016x}, "
                             "expected {:016x}",
                             path, ir::SchemaHash(*owned), *expected_schema_hash),
                 ErrorKind::kSchemaMismatch};
  }
  if (expected_policy_hash && *expected_policy_hash != ir::PolicyHash(*owned)) {
    return Error{fmt::format("{} was compiled from another policy: its policy hash is {:016x}, "
                             "and the policy to apply hashes to {:016x} (other rules, messages, "
                             "dates or table rows); rebuild it with `cordon compile --bundle`",
                             path, ir::PolicyHash(*owned), *expected_policy_hash),
                 ErrorKind::kSchemaMismatch};
  }
  return FromOwnedProgram(std::move(owned), kind);
}

auto Engine::FromLibrary(const std::string& path, std::optional<uint64_t> expected_schema_hash,
                         std::optional<uint64_t> expected_policy_hash, const LibraryTables& tables)
    -> ErrorOr<std::unique_ptr<Engine>> {
  // RTLD_LOCAL: two policies loaded side by side keep their symbols apart.
  std::vector<uint8_t> bytes;
  if (std::optional<Error> failed = ReadLibrary(path, bytes)) return *failed;
  if (std::string problem = CheckElf(bytes); !problem.empty()) {
    return Error{fmt::format("{} is not a compiled Cordon policy: {}", path, problem),
                 ErrorKind::kNotAPolicy};
  }
  std::string why;
  int memfd = -1;
  void* handle = OpenChecked(bytes, why, memfd);
  if (handle == nullptr) {
    return Error{
        fmt::format("cannot load {} (not a shared object, or a truncated one): {}", path, why),
        ErrorKind::kNotAPolicy};
  }
  auto fail = [&](std::string message, ErrorKind kind = ErrorKind::kNotAPolicy) -> Error {
    dlclose(handle);
    if (memfd >= 0) close(memfd);
    return Error{std::move(message), kind};
  };
  const auto* descriptor =
      static_cast<const cordon_abi_descriptor*>(dlsym(handle, CORDON_ABI_DESCRIPTOR_SYMBOL));
  if (descriptor == nullptr) {
    return fail(fmt::format("{} is not a compiled Cordon policy: it has no `{}` symbol", path,
                            CORDON_ABI_DESCRIPTOR_SYMBOL));
  }
  if (descriptor->abi_version != CORDON_ABI_VERSION) {
    return fail(
        fmt::format("{} was compiled for Cordon ABI version {}, and this runtime reads version {}: "
                    "recompile it with this version's `cordon compile`",
                    path, descriptor->abi_version, CORDON_ABI_VERSION),
        ErrorKind::kAbiVersion);
  }
  ErrorOr<ir::Program> program =
      ir::Deserialize(std::span<const uint8_t>(descriptor->program, descriptor->program_size));
  if (!program.ok()) return fail(fmt::format("{}: {}", path, program.error().message));
  std::unique_ptr<Engine> engine(new Engine());
  engine->kind_ = EngineKind::kAot;
  engine->owned_ = std::make_unique<ir::Program>(std::move(*program));
  engine->program_ = engine->owned_.get();
  engine->Init();
  if (engine->schema_hash_ != descriptor->schema_hash ||
      engine->program_->rules.size() != descriptor->rule_count ||
      engine->layout_.size != descriptor->request_size) {
    return fail(fmt::format("{} is inconsistent: its descriptor does not match its program", path));
  }
  if (expected_schema_hash && *expected_schema_hash != engine->schema_hash_) {
    return fail(
        fmt::format(
            "{} was compiled from another policy: its schema hash is {:016x}, expected {:016x}",
            path, engine->schema_hash_, *expected_schema_hash),
        ErrorKind::kSchemaMismatch);
  }
  if (expected_policy_hash && *expected_policy_hash != engine->policy_hash_) {
    return fail(fmt::format("{} was compiled from another policy: its policy hash is {:016x}, and "
                            "the policy to apply hashes to {:016x} (other rules, messages, dates "
                            "or table rows); recompile it with `cordon compile`",
                            path, engine->policy_hash_, *expected_policy_hash),
                ErrorKind::kSchemaMismatch);
  }
  if (std::optional<Error> failed = engine->LoadTableFiles(path, tables)) {
    return fail(failed->message, failed->kind);
  }
  engine->eval_ = descriptor->eval;
  engine->library_ = handle;
  engine->library_fd_ = memfd;
  return engine;
}

Engine::~Engine() {
  delete current_.load();
  if (jit_ != nullptr) compiler_->jit_free(jit_);
  if (library_ != nullptr) dlclose(library_);
  if (library_fd_ >= 0) close(library_fd_);
}

auto Engine::FindTable(std::string_view name) const -> std::optional<uint32_t> {
  for (uint32_t t = 0; t < program_->tables.size(); ++t) {
    if (program_->tables[t].name == name) return t;
  }
  return std::nullopt;
}

auto Engine::SwapTable(uint32_t table, std::shared_ptr<const ir::TableData> data)
    -> std::optional<Error> {
  if (table >= program_->tables.size() || data == nullptr ||
      &data->schema() != &program_->tables[table]) {
    return Error{
        "the new rows were built for another table: build them with this engine's "
        "table schema",
        ErrorKind::kSchemaMismatch};
  }
  if (!program_->tables[table].is_extern) {
    return Error{fmt::format("table `{}` is not `extern`: its rows are part of the policy; "
                             "declare it `extern table` to let hosts replace them",
                             program_->tables[table].name),
                 ErrorKind::kTable};
  }
  std::lock_guard lock(writers_);
  const TableSet* old = current_.load();
  auto* next = new TableSet(*old);
  next->Set(table, std::move(data));
  current_.store(next);
  // Hazard pointers: wait until no session still reads the old set, then free it. With the
  // asymmetric fence, a session's hazard store is visible after this call, or its check of
  // current_ that follows the store sees `next`.
  if (asymmetric_fence_ && syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0) {
    // It cannot fail once registered; should it, no hazard can be trusted, and the old rows
    // are kept rather than freed under a reader.
    return std::nullopt;
  }
  for (Session* session : sessions_) {
    while (session->hazard_.load() == old) std::this_thread::yield();
  }
  delete old;
  return std::nullopt;
}

auto Engine::ReadTable(uint32_t table, std::shared_ptr<const SourceBuffer> source,
                       const std::string& source_name) const
    -> ErrorOr<std::shared_ptr<ir::TableData>> {
  std::ostringstream rendered;
  ConsoleRenderer renderer(rendered);
  DiagnosticEmitter emitter(renderer);
  std::deque<std::string> texts;
  std::deque<ir::TextSet> text_sets;
  std::optional<ir::Rows> rows = tables::ReadTableRows(
      *program_, program_->tables[table], *source,
      tables::RowStorage{.texts = &texts, .text_sets = &text_sets, .stable = source->text()},
      emitter, nullptr);
  if (!rows) {
    std::string text = rendered.str();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return Error{fmt::format("table `{}` was not replaced: {} bad row(s):\n{}",
                             program_->tables[table].name, emitter.error_count(), text),
                 ErrorKind::kTable};
  }
  auto data = std::make_shared<ir::TableData>(program_->tables[table], std::move(*rows));
  // Moving a deque keeps its elements where they are, so the rows' pointers stay valid.
  data->texts = std::move(texts);
  data->text_sets = std::move(text_sets);
  data->source = std::move(source);
  data->source_name = source_name;
  return data;
}

namespace {

auto NoSuchTable(const ir::Program& program, std::string_view name) -> Error {
  std::string names;
  for (const ir::Table& t : program.tables) {
    if (t.is_extern) names += (names.empty() ? "`" : ", `") + t.name + "`";
  }
  return Error{fmt::format("the policy has no table `{}`; its extern tables are {}", name,
                           names.empty() ? "none" : names),
               ErrorKind::kTable};
}

// A file's identity and state, to tell whether it changed while it was read.
auto FileStamp(const std::string& path, struct stat& st) -> bool {
  return stat(path.c_str(), &st) == 0;
}

auto SameStamp(const struct stat& a, const struct stat& b) -> bool {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

auto FormatModified(const struct stat& st) -> std::string {
  std::tm utc{};
  time_t seconds = st.st_mtim.tv_sec;
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

}  // namespace

auto Engine::ReadTableFile(uint32_t table, const std::string& path) const
    -> ErrorOr<std::shared_ptr<ir::TableData>> {
  struct stat before {};
  struct stat after {};
  bool stamped = FileStamp(path, before);  // else reading fails below, and says why
  // Regular files only, read up to the limit: a FIFO would block forever and /dev/zero would be
  // read until memory ran out.
  ErrorOr<SourceBuffer> csv = SourceBuffer::FromFile(path, kDefaultMaxSourceBytes);
  if (!csv.ok()) return Error{csv.error().message, ErrorKind::kIo};
  if (csv->oversize()) {
    return Error{fmt::format("{}: {} bytes, more than a table may hold ({} bytes)", path,
                             *csv->oversize(), kDefaultMaxSourceBytes),
                 ErrorKind::kIo};
  }
  if (!stamped || !FileStamp(path, after) || !SameStamp(before, after)) {
    return Error{fmt::format("{} changed while it was read: table `{}` keeps the rows it had; "
                             "read it again once the file is written",
                             path, program_->tables[table].name),
                 ErrorKind::kTable};
  }
  ErrorOr<std::shared_ptr<ir::TableData>> data =
      ReadTable(table, std::make_shared<const SourceBuffer>(std::move(*csv)), path);
  if (data.ok()) (*data)->modified = FormatModified(after);
  return data;
}

auto Engine::SwapTableCsv(std::string_view name, std::string csv, std::string source_name)
    -> std::optional<Error> {
  std::optional<uint32_t> table = FindTable(name);
  if (!table) return NoSuchTable(*program_, name);
  // The rows view their texts in the CSV itself, which the new table keeps.
  auto source =
      std::make_shared<const SourceBuffer>(SourceBuffer::FromText(source_name, std::move(csv)));
  ErrorOr<std::shared_ptr<ir::TableData>> data = ReadTable(*table, std::move(source), source_name);
  if (!data.ok()) return data.error();
  return SwapTable(*table, std::move(*data));
}

auto Engine::SwapTableFile(std::string_view name, const std::string& path) -> std::optional<Error> {
  std::optional<uint32_t> table = FindTable(name);
  if (!table) return NoSuchTable(*program_, name);
  ErrorOr<std::shared_ptr<ir::TableData>> data = ReadTableFile(*table, path);
  if (!data.ok()) return data.error();
  return SwapTable(*table, std::move(*data));
}

void Session::TraceTables(interp::Trace& trace) const {
  trace.tables.clear();
  for (uint32_t t = 0; t < engine_.program_->tables.size(); ++t) {
    const ir::TableData& data = *tables_->views[t];
    trace.tables.push_back(interp::TableTrace{.name = engine_.program_->tables[t].name,
                                              .rows = data.rows().size(),
                                              .hash = data.rows_hash(),
                                              .compiled_from = engine_.program_->tables[t].file,
                                              .source = data.source_name,
                                              .modified = data.modified});
  }
}

auto Engine::TableVersions() const -> std::vector<TableVersion> {
  std::lock_guard lock(writers_);  // no swap frees the set while it is read
  const TableSet* set = current_.load();
  std::vector<TableVersion> out;
  for (uint32_t t = 0; t < program_->tables.size(); ++t) {
    const ir::TableData& data = *set->views[t];
    out.push_back(TableVersion{.name = program_->tables[t].name,
                               .is_extern = program_->tables[t].is_extern,
                               .rows = data.rows().size(),
                               .hash = data.rows_hash(),
                               .source = data.source_name,
                               .modified = data.modified});
  }
  return out;
}

auto Engine::LoadTableFiles(const std::string& library, const LibraryTables& tables)
    -> std::optional<Error> {
  if (tables.embedded) return std::nullopt;
  for (uint32_t t = 0; t < program_->tables.size(); ++t) {
    const ir::Table& table = program_->tables[t];
    if (table.file.empty()) continue;
    std::string path =
        tables.dir.empty()
            ? table.file
            : (std::filesystem::path(tables.dir) / std::filesystem::path(table.file).filename())
                  .string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;  // the compiled rows, as the file is gone
    ErrorOr<std::shared_ptr<ir::TableData>> data = ReadTableFile(t, path);
    if (!data.ok()) {
      return Error{fmt::format("{}: table `{}` from {}: {}", library, table.name, path,
                               data.error().message),
                   data.error().kind};
    }
    uint64_t compiled = ir::RowsHash(table.rows);
    uint64_t now = ir::RowsHash((*data)->rows());
    if (compiled != now && !table.is_extern) {
      return Error{
          fmt::format("{} was compiled with other rows of table `{}` than {} holds now "
                      "(compiled: {} rows, hash {:016x}; {}: {} rows, hash {:016x}, modified {}); "
                      "the table is not `extern`, so its rows are part of the policy: recompile "
                      "it with `cordon compile`, or open it with the embedded tables to decide "
                      "as compiled",
                      library, table.name, path, table.rows.size(), compiled, path,
                      (*data)->rows().size(), now, (*data)->modified),
          ErrorKind::kSchemaMismatch};
    }
    // Equal rows: the file's, so that the version names it. Other rows: the current ones.
    // No session exists yet: the set is changed in place.
    const_cast<TableSet*>(current_.load())->Set(t, std::move(*data));
  }
  return std::nullopt;
}

auto Engine::StructDay(const void* request) const -> DayNumber {
  if (program_->as_of_slot == ir::kNoId) return DefaultDay();
  int32_t stored = 0;  // a date is 4 bytes in the struct (abi::SlotSize)
  std::memcpy(&stored,
              static_cast<const uint8_t*>(request) + layout_.slots[program_->as_of_slot].offset,
              sizeof stored);
  return stored;
}

auto Session::TextScratch::NewText(size_t size) -> char* {
  if (used_ == texts_.size()) texts_.emplace_back();
  std::string& text = texts_[used_++];
  text.resize(size);
  return text.data();
}

Session::Session(Engine& engine) : engine_(engine), interp_(engine.program()) {
  packed_.resize(engine.layout_.size + 8);
  results_.resize(engine.program_->rules.size());
  lookup_.names.Resize(engine.key_texts_.size(), engine.program_->tables.size(),
                       engine.program_->name_rule_sets());
  env_ = cordon_abi_env{.self = &lookup_,
                        .find = EnvFind,
                        .find_name = EnvFindName,
                        .text_set_has = EnvTextSetHas,
                        .text_set_equal = EnvTextSetEqual,
                        .constant_sets = engine.constant_sets_.data(),
                        .rows = nullptr,
                        .find_near = EnvFindNear,
                        .holes = nullptr,
                        .text_op = EnvTextOp};
  hole_cells_.resize(engine.hole_count_);
  env_.holes = hole_cells_.data();
  std::lock_guard lock(engine.writers_);
  engine.sessions_.push_back(this);
}

Session::~Session() {
  std::lock_guard lock(engine_.writers_);
  std::erase(engine_.sessions_, this);
}

auto Session::Acquire() -> const TableSet* {
  const TableSet* set = engine_.current_.load(std::memory_order_acquire);
  while (true) {
    if (engine_.asymmetric_fence_) {
      hazard_.store(set, std::memory_order_relaxed);
      // Only the compiler must keep the store before the load: the swapping thread's
      // membarrier orders them in the processor.
      std::atomic_signal_fence(std::memory_order_seq_cst);
    } else {
      hazard_.store(set);
    }
    const TableSet* again = engine_.current_.load();
    if (again == set) return set;
    set = again;
  }
}

// Release order suffices here: the swapping thread only needs this session's reads of the set
// to happen before it sees the hazard cleared.
void Session::Release() { hazard_.store(nullptr, std::memory_order_release); }

void Session::FillHoles(interp::Reason& reason) {
  const ir::Program& program = engine_.program();
  const ir::Rule& rule = program.rules[reason.rule];
  uint32_t first = engine_.hole_starts_[reason.rule];
  const std::vector<ir::MessageHole>* holes = &rule.holes;
  if (reason.exception != ir::kNoId) {
    first += rule.holes.size();
    for (uint32_t k = 0; k < reason.exception; ++k) first += rule.unless[k].holes.size();
    holes = &rule.unless[reason.exception].holes;
  }
  if (holes->empty()) return;
  hole_values_.clear();
  for (uint32_t i = 0; i < holes->size(); ++i) {
    hole_values_.push_back(ToDatum(hole_cells_[first + i], program.values[(*holes)[i].value].kind));
  }
  reason.text = ir::FillMessage(
      program, reason.exception == ir::kNoId ? rule.message : rule.unless[reason.exception].message,
      *holes, hole_values_);
}

// A batch's next request: its key texts (an end user's name) are far from anything else, so
// start fetching them a decision early. Preparing the next request's lookups whole (its names
// normalised and the index slots they probe fetched) was measured and made batches slower
// (bench/README.md): the tables a decision reads stay in cache from one decision to the next.
void Session::PrefetchNext(const uint8_t* next) const {
  for (uint32_t offset : engine_.key_texts_) {
    const char* text = nullptr;
    std::memcpy(&text, next + offset, sizeof text);
    __builtin_prefetch(text);
  }
}

auto Session::RunCompiled(const void* request, DayNumber as_of, interp::Decision& out,
                          const void* next) -> bool {
  const ir::Program& program = engine_.program();
  lookup_.tables = tables_;
  lookup_.names.Start();
  lookup_.texts.Reset();
  env_.rows = tables_->rows.data();
  if (next != nullptr) PrefetchNext(static_cast<const uint8_t*>(next));
  // The texts the rules look up (an end user's name) are far from anything else a decision
  // reads: start fetching them while the evaluator works its way to the lookups (100k names:
  // 3-6 ns of 125). A prefetch never faults, so an absent field's pointer does no harm.
  for (uint32_t offset : engine_.key_texts_) {
    const char* text = nullptr;
    std::memcpy(&text, static_cast<const uint8_t*>(request) + offset, sizeof text);
    __builtin_prefetch(text);
  }
  uint32_t written = engine_.eval_(request, as_of, &env_, results_.data());
  if (written == CORDON_ABI_BAD_REQUEST) return false;
  out.Clear();
  for (uint32_t i = 0; i < written; ++i) {
    const cordon_abi_result& result = results_[i];
    if (result.state == CORDON_RULE_FIRED) {
      static_assert(ir::kNoId == UINT32_MAX, "the ABI's `no unless` is the IR's kNoId");
      out.reasons.push_back(interp::Reason{
          .rule = result.rule, .outcome = result.value, .exception = result.exception});
      if (!engine_.hole_starts_.empty()) [[unlikely]]
        FillHoles(out.reasons.back());
    } else {
      out.errors.push_back(interp::RuleError{
          result.rule, interp::ErrorMessage(program, result.value, StatusMessage(result.status))});
    }
  }
  interp::FinishDecision(program, out);
  return true;
}

void Session::Refuse(const uint8_t* request, interp::Decision& out) const {
  std::string why = CheckStruct(request);
  if (why.empty()) {
    why =
        "the evaluator refused the request struct, yet every field is in range: the compiled "
        "policy and this runtime disagree on the struct (recompile the policy)";
  }
  out.Clear();
  out.error = true;
  out.errors.push_back(interp::RuleError{ir::kNoId, std::move(why)});
}

namespace {

auto Days(int64_t n) -> std::string { return fmt::format("{} day{}", n, n == 1 ? "" : "s"); }

}  // namespace

auto Session::PastGrace(DayNumber as_of, std::string& error) const -> bool {
  const ir::Program& program = engine_.program();
  DayNumber review = *program.reviewed;
  int64_t late = int64_t{as_of} - review;
  if (late <= program.review_grace_days) return false;
  error = fmt::format(
      "{} is {} after {}, the day this policy's law was last reviewed, and past "
      "its grace period of {}: the law after {} is not encoded",
      FormatDate(as_of), Days(late), FormatDate(review), Days(program.review_grace_days),
      FormatDate(review));
  return true;
}

// Within the grace period the decision stands and says it was moved (worded when printed: see
// runtime::Warnings); past it the decision is `error`, and the rules that fired on the review
// date still show (as with a broken `require`), so a `prohibited` is not hidden.
void Session::NoteReview(DayNumber as_of, bool past_grace, std::string error,
                         interp::Decision& out) {
  if (past_grace) {
    out.error = true;
    out.errors.push_back(interp::RuleError{interp::RuleError::kPastReview, std::move(error)});
  } else {
    out.moved = true;
    out.moved_from = as_of;
  }
}

void Session::Decide(std::span<const ir::Datum> slots, DayNumber as_of, interp::Decision& out,
                     interp::Trace* trace) {
  const ir::Program& program = engine_.program();
  if (program.reviewed && as_of > *program.reviewed) [[unlikely]] {
    std::string error;
    bool past_grace = PastGrace(as_of, error);
    // The request as it would be on the review date: rules that read `request.as_of` see it too.
    DayNumber day = *program.reviewed;
    moved_.assign(slots.begin(), slots.end());
    if (program.as_of_slot != ir::kNoId) moved_[program.as_of_slot].bits = day;
    Decide(moved_, day, out, trace);
    NoteReview(as_of, past_grace, std::move(error), out);
    return;
  }
  tables_ = Acquire();
  if (engine_.kind_ == EngineKind::kInterp) {
    interp_.Decide(slots, as_of, out, trace, tables_->views);
  } else {
    uint8_t* request = packed_.data() + (8 - reinterpret_cast<uintptr_t>(packed_.data()) % 8) % 8;
    pack_arena_.Reset();
    abi::PackRequest(engine_.layout_, slots, request, &pack_arena_);
    if (!RunCompiled(request, as_of, out)) Refuse(request, out);
    if (trace != nullptr) {
      interp::Decision ignored;
      interp_.Decide(slots, as_of, ignored, trace, tables_->views);
    }
  }
  if (trace != nullptr) TraceTables(*trace);
  if (record_tables_) [[unlikely]] {
    table_hashes_.resize(tables_->views.size());
    for (size_t t = 0; t < table_hashes_.size(); ++t) {
      table_hashes_[t] = tables_->views[t]->rows_hash();
    }
  }
  Release();
}

void Session::DecideStruct(const void* request, DayNumber as_of, interp::Decision& out,
                           const void* next) {
  const ir::Program& program = engine_.program();
  // A struct whose own `as_of` no request could hold is refused below, not moved to the review
  // date (that would accept it).
  auto own_day_valid = [&] {
    if (program.as_of_slot == ir::kNoId) return true;
    int32_t own = 0;
    std::memcpy(
        &own,
        static_cast<const uint8_t*>(request) + engine_.layout_.slots[program.as_of_slot].offset,
        sizeof own);
    return own >= kFirstDay && own <= kLastDay;
  };
  if (program.reviewed && as_of > *program.reviewed && own_day_valid()) [[unlikely]] {
    std::string error;
    bool past_grace = PastGrace(as_of, error);
    std::optional<DayNumber> day = *program.reviewed;
    // A copy of the host's struct with `as_of` on the review date (the host's stays as it was).
    const abi::RequestLayout& layout = engine_.layout_;
    if (reviewed_.size() < layout.size + 8) reviewed_.resize(layout.size + 8);
    uint8_t* copy = reviewed_.data() + (8 - reinterpret_cast<uintptr_t>(reviewed_.data()) % 8) % 8;
    std::memcpy(copy, request, layout.size);
    if (program.as_of_slot != ir::kNoId) {
      int32_t moved = *day;  // a date is 4 bytes in the struct (abi::SlotSize)
      std::memcpy(copy + layout.slots[program.as_of_slot].offset, &moved, sizeof moved);
    }
    DecideStruct(copy, *day, out, next);
    // A struct refused for a bad field says only that.
    if (out.errors.empty() || out.errors.front().rule != ir::kNoId) {
      NoteReview(as_of, past_grace, std::move(error), out);
    }
    return;
  }
  const auto* bytes = static_cast<const uint8_t*>(request);
  if (engine_.eval_ == nullptr) {
    // The interpreter reads the struct as decoded slots, after the checks a compiled evaluator
    // makes itself: it trusts its slots as the decoder makes them.
    if (!CheckStruct(bytes).empty()) {
      Refuse(bytes, out);
      return;
    }
    abi::UnpackRequest(engine_.layout_, bytes, unpacked_, unpack_arena_);
    tables_ = Acquire();
    interp_.Decide(unpacked_, as_of, out, nullptr, tables_->views);
    Release();
    return;
  }
  // The evaluator checks every field but text sets, which only the runtime can make, and the
  // elements of lists, which the runtime walks here (the evaluator reads only their headers).
  if ((!engine_.struct_checks_.text_sets.empty() || !engine_.program().lists.empty()) &&
      !CheckStruct(bytes).empty()) {
    Refuse(bytes, out);
    return;
  }
  tables_ = Acquire();
  bool decided = RunCompiled(request, as_of, out, next);
  Release();
  if (!decided) Refuse(bytes, out);
}

// Every value the generated code reads from a host-filled struct must be one a decoded request
// could hold: the compiled code trusts its input as the interpreter trusts decoded slots.
auto Session::CheckStruct(const uint8_t* request) const -> std::string {
  std::array<ElementStep, ir::kMaxListDepth + 1> trail;
  return CheckRecord(engine_.struct_checks_, engine_.layout_, request, trail, 0);
}

// `trail[0..depth)`: the lists (and the element of each) the record is inside, from which the
// JSON path of a field ("$.end_user.owners[2].share") is put together only when one is wrong:
// walking a host's lists formats nothing.
auto Session::CheckRecord(const StructChecks& checks, const abi::RequestLayout& layout,
                          const uint8_t* request, std::span<ElementStep> trail,
                          uint32_t depth) const -> std::string {
  const ir::Program& program = engine_.program();
  auto path = [&](const StructChecks::Field& f) -> std::string {
    std::string out;
    for (uint32_t d = 0; d < depth; ++d) {
      out += fmt::format("{}[{}]", trail[d].list->path, trail[d].index);
    }
    return out + layout.slots[f.slot].path;
  };
  // A value is read only when present, so an absent field may hold anything.
  // So is everything in an absent record.
  auto in_record = [&](const StructChecks::Field& f) {
    for (uint32_t record : layout.slots[f.slot].records) {
      if (request[record] == 0) return false;
    }
    return true;
  };
  auto present = [&](const StructChecks::Field& f) {
    return (f.presence == ir::kNoId || request[f.presence] != 0) && in_record(f);
  };
  auto load = [&]<typename T>(uint32_t offset, T& out) {
    std::memcpy(&out, request + offset, sizeof out);
  };
  for (const auto& f : checks.presence) {
    if (request[f.presence] > 1 && in_record(f)) {
      return fmt::format("{}: presence byte {} is not 0 or 1", path(f), request[f.presence]);
    }
  }
  for (const auto& f : checks.bools) {
    if (request[f.offset] > 1 && present(f)) {
      return fmt::format("{}: {} is not a bool (0 or 1)", path(f), request[f.offset]);
    }
  }
  // As the generated check: a positive denominator (1 for an `int`). Any numerator is a value;
  // the arithmetic takes INT128_MIN too, and refuses to negate it.
  for (const auto& f : checks.numbers) {
    Int128 den = 0;
    load(f.offset + 16, den);
    if (den <= 0 && present(f)) {
      return fmt::format("{}: denominator {} is not positive", path(f), FormatInt128(den));
    }
  }
  for (const auto& f : checks.integers) {
    Int128 den = 0;
    load(f.offset + 16, den);
    if (den != 1 && present(f)) {
      return fmt::format("{}: an `int` field needs denominator 1, not {}", path(f),
                         FormatInt128(den));
    }
  }
  const abi::StructBounds& bounds = abi::GetStructBounds();
  for (const auto& f : checks.dates) {
    int32_t day = 0;
    load(f.offset, day);
    if ((day < kFirstDay || day > kLastDay) && present(f)) {
      return fmt::format("{}: day {} is outside the years 1 to 9999", path(f), day);
    }
  }
  for (const auto& f : checks.countries) {
    uint16_t c = 0;
    load(f.offset, c);
    bool assigned = c < kCountrySlots && ((bounds.assigned_countries[c / 64] >> (c % 64)) & 1) != 0;
    if (!assigned && present(f)) return fmt::format("{}: {} is not a country index", path(f), c);
  }
  for (const auto& f : checks.enums) {
    uint16_t v = 0;
    load(f.offset, v);
    if (v >= f.limit && present(f)) {
      const ir::Enum& e = program.enums[layout.slots[f.slot].enum_id];
      return fmt::format("{}: {} is not a value of `{}` (it has {})", path(f), v, e.name,
                         e.values.size());
    }
  }
  for (const auto& f : checks.enum_sets) {
    uint64_t mask = 0;
    load(f.offset, mask);
    if (f.limit < 64 && (mask >> f.limit) != 0 && present(f)) {
      return fmt::format("{}: bits beyond the enum", path(f));
    }
  }
  for (const auto& f : checks.texts) {
    const char* data = nullptr;
    uint64_t size = 0;
    load(f.offset, data);
    load(f.offset + 8, size);
    if (data == nullptr && size != 0 && present(f)) {
      return fmt::format("{}: a null text of {} bytes", path(f), size);
    }
  }
  for (const auto& f : checks.country_sets) {
    uint64_t last = 0;
    load(f.offset + 80, last);
    if ((last >> (kCountrySlots - 640)) != 0 && present(f)) {
      return fmt::format("{}: bits beyond the last country index", path(f));
    }
  }
  for (const auto& f : checks.text_sets) {
    const void* set = nullptr;
    load(f.offset, set);
    if (set != nullptr && present(f)) {
      return fmt::format("{}: text sets cannot be passed in the struct; decide from JSON", path(f));
    }
  }
  for (const auto& f : checks.lists) {
    const uint8_t* items = nullptr;
    uint64_t count = 0;
    load(f.offset, items);
    load(f.offset + 8, count);
    if (!present(f) || count == 0) continue;
    const ir::ListShape& shape = program.lists[f.limit];
    if (count > shape.max_length) {
      return fmt::format("{}: {} elements, but list<{}> holds at most {} here", path(f), count,
                         shape.record, shape.max_length);
    }
    if (items == nullptr) return fmt::format("{}: a null list of {} elements", path(f), count);
    if (depth >= ir::kMaxListDepth) {
      return fmt::format("{}: lists nest more than {} deep", path(f), ir::kMaxListDepth);
    }
    const abi::RequestLayout& element = engine_.layout_.elements[f.limit];
    for (uint64_t i = 0; i < count; ++i) {
      trail[depth] = ElementStep{.list = &layout.slots[f.slot], .index = i};
      std::string why = CheckRecord(engine_.element_checks_[f.limit], element,
                                    items + i * element.size, trail, depth + 1);
      if (!why.empty()) return why;
    }
  }
  return {};
}

}  // namespace cordon::runtime
