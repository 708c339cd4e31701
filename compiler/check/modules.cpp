// SPDX-License-Identifier: Apache-2.0
// Modules: finding the files behind `import a.b`, the import graph and its cycles, and the
// names each module declares and sees. Also the phase's entry point.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "compiler/check/checker.h"

namespace cordon::check {

namespace fs = std::filesystem;

auto CheckProgram(const std::vector<std::string>& roots, const CheckOptions& options,
                  ast::ModuleLoader& loader, DiagnosticEmitter& emitter)
    -> ErrorOr<std::optional<ir::Program>> {
  Checker checker(options, loader, emitter);
  ErrorOr<std::optional<ir::Program>> program = checker.Run(roots);
  if (options.index != nullptr) checker.FillIndex(*options.index);
  return program;
}

namespace {

auto JoinPath(const std::vector<ast::Name>& path) -> std::string {
  std::string out;
  for (const ast::Name& part : path) {
    if (!out.empty()) out += '.';
    out += part.text;
  }
  return out;
}

auto PathRange(const std::vector<ast::Name>& path) -> SourceRange {
  if (path.empty()) return {};
  return SourceRange{path.front().range.begin, path.back().range.end};
}

}  // namespace

auto Checker::Run(const std::vector<std::string>& roots) -> ErrorOr<std::optional<ir::Program>> {
  int errors_before = emitter_.error_count();
  module_path_ = options_.module_path;
  std::vector<uint32_t> root_modules;
  for (const std::string& root : roots) {
    ErrorOr<uint32_t> module = LoadRoot(root);
    if (!module.ok()) return module.error();
    root_modules.push_back(*module);
  }
  // modules_ grows while its imports are loaded.
  for (uint32_t m = 0; m < modules_.size(); ++m) LoadImports(m);
  ReportShadowed();
  // After a syntax error, semantic checks would mostly report its consequences again.
  if (emitter_.error_count() > errors_before) return std::optional<ir::Program>();
  OrderModules(root_modules);
  for (uint32_t m : order_) {
    program_.modules.push_back(modules_[m].name);
    DeclareNames(m);
  }
  for (uint32_t m : order_) ImportNames(m);
  CheckOutcomes();
  CheckRequest();
  for (uint32_t m : order_) CheckModule(m);
  WarnAfterReview();
  program_.first_requirement = static_cast<ir::RuleId>(program_.rules.size());
  for (ir::Rule& rule : requirements_) program_.rules.push_back(std::move(rule));
  for (uint32_t m : root_modules) {
    for (const ast::Decl& decl : modules_[m].file.decls) {
      if (const auto* test = std::get_if<ast::TestDecl>(&decl.kind)) CheckTest(m, decl, *test);
    }
  }
  for (uint32_t m : order_) ReportUnused(m);
  WarnUnproduced();
  if (emitter_.error_count() == errors_before) ReportDropped(root_modules);
  if (emitter_.error_count() > errors_before) return std::optional<ir::Program>();
  // Before program_ is given away: the index names types through it.
  if (options_.index != nullptr) FillIndex(*options_.index);
  return std::optional<ir::Program>(std::move(program_));
}

// A module found before the bundled one of the same name replaces it for the whole policy:
// deliberate for a copy of the stdlib under study, a surprise otherwise, so it is said once.
void Checker::ReportShadowed() {
  if (shadowed_.empty()) return;
  std::vector<std::string> names;
  for (const auto& [name, file] : shadowed_) names.push_back(name);
  const auto& [m, range] = *shadowed_at_;
  std::string where = fs::path(shadowed_.begin()->second).parent_path().string();
  emitter_
      .Warning(DiagnosticKind::ShadowedModule, Loc(m, range),
               fmt::format("{} {} read from `{}`, replacing the bundled standard library's "
                           "module{} of the same name",
                           QuotedList(names, 4), names.size() == 1 ? "is" : "are", where,
                           names.size() == 1 ? "" : "s"))
      .Help(
          "to use the bundled module, remove the copy or the `-I` directory that holds it; to "
          "keep both, give the copy another module name");
}

// INVARIANT: a policy compiles with every rule and test it declares, or not at all. A rule
// that failed without a diagnostic would silently leave the policy (fail-open), so a mismatch
// here stops the build even though it is the checker's own bug.
void Checker::ReportDropped(const std::vector<uint32_t>& roots) {
  std::set<std::string> rules;
  for (const ir::Rule& rule : program_.rules) {
    if (!rule.requirement) rules.insert(rule.name);
  }
  for (uint32_t m : order_) {
    for (const ast::Decl& decl : modules_[m].file.decls) {
      const auto* rule = std::get_if<ast::RuleDecl>(&decl.kind);
      if (rule == nullptr || rules.count(rule->name.text) != 0) continue;
      emitter_
          .Error(DiagnosticKind::InternalError, Loc(m, rule->name.range),
                 fmt::format("rule `{}` could not be compiled, and no error said why",
                             rule->name.text))
          .Help("this is a bug in Cordon: please report it with this file");
    }
  }
  size_t requires_declared = 0;
  const ast::Decl* first_require = nullptr;
  uint32_t first_require_module = 0;
  for (uint32_t m : order_) {
    for (const ast::Decl& decl : modules_[m].file.decls) {
      if (!std::holds_alternative<ast::RequireDecl>(decl.kind)) continue;
      if (first_require == nullptr) {
        first_require = &decl;
        first_require_module = m;
      }
      ++requires_declared;
    }
  }
  size_t requires_compiled =
      static_cast<size_t>(std::count_if(program_.rules.begin(), program_.rules.end(),
                                        [](const ir::Rule& r) { return r.requirement; }));
  if (requires_compiled != requires_declared && first_require != nullptr) {
    emitter_
        .Error(DiagnosticKind::InternalError, Loc(first_require_module, first_require->range),
               fmt::format("{} of the {} `require`s declared could not be compiled, and no error "
                           "said why",
                           requires_declared - std::min(requires_declared, requires_compiled),
                           requires_declared))
        .Help("this is a bug in Cordon: please report it with this file");
  }
  std::vector<std::pair<uint32_t, const ast::Decl*>> declared;  // tests run only for roots
  for (uint32_t m : roots) {
    for (const ast::Decl& decl : modules_[m].file.decls) {
      if (std::holds_alternative<ast::TestDecl>(decl.kind)) declared.emplace_back(m, &decl);
    }
  }
  const size_t tests = declared.size();
  if (tests != program_.tests.size() && !declared.empty()) {
    auto [m, decl] = declared.front();
    emitter_
        .Error(DiagnosticKind::InternalError, Loc(m, decl->range),
               fmt::format("{} of the {} tests declared could not be compiled, and no error said "
                           "why",
                           tests - std::min(tests, program_.tests.size()), tests))
        .Help("this is a bug in Cordon: please report it with this file");
  }
}

auto Checker::LoadRoot(const std::string& path) -> ErrorOr<uint32_t> {
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    file = (fs::path(path) / "policy.cordon").string();
    if (!fs::exists(file, ec)) {
      return Error{
          fmt::format("{}: is a directory, not a rule file (a policy directory holds "
                      "`policy.cordon`)",
                      path)};
    }
  }
  ErrorOr<uint32_t> module = LoadFile(file, fs::path(file).stem().string());
  if (!module.ok() || !modules_[*module].file.module) return module;
  // A root that declares `module a.b` at DIR/a/b.cordon or DIR/a/b/policy.cordon puts DIR on
  // the module path (after -I, before the stdlib), so that its sibling modules resolve.
  // Both spellings count: `module a.b` at DIR/a/b.cordon, and at DIR/a/b/policy.cordon (so
  // `module ear.policy` at DIR/ear/policy.cordon is the first, `module ear` there the second).
  const std::vector<ast::Name>& declared = modules_[*module].file.module->path;
  auto implied = [&](bool directory_module) -> std::optional<fs::path> {
    fs::path dir = fs::absolute(fs::path(file), ec).parent_path();
    std::vector<ast::Name> parts = declared;
    if (!directory_module) {
      if (parts.back().text != fs::path(file).stem().string()) return std::nullopt;
      parts.pop_back();
    } else if (fs::path(file).filename() != "policy.cordon") {
      return std::nullopt;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      if (dir.filename() != it->text) return std::nullopt;
      dir = dir.parent_path();
    }
    return dir;
  };
  std::optional<fs::path> dir = implied(false);
  if (!dir) dir = implied(true);
  if (!dir) return module;
  std::string root = dir->string();
  if (std::find(module_path_.begin(), module_path_.end(), root) == module_path_.end()) {
    module_path_.insert(module_path_.end() - (module_path_.empty() ? 0 : 1), root);
  }
  return module;
}

auto Checker::LoadFile(const std::string& path, const std::string& fallback_name)
    -> ErrorOr<uint32_t> {
  std::error_code ec;
  std::string key = fs::weakly_canonical(path, ec).string();
  if (ec) key = path;
  if (auto it = by_path_.find(key); it != by_path_.end()) return it->second;
  ErrorOr<ast::ModuleLoader::Parsed> parsed = loader_.LoadModule(path, options_.max_source_bytes);
  if (!parsed.ok()) return parsed.error();
  Module module;
  module.path = path;
  module.dir = fs::path(path).parent_path().string();
  module.source = parsed->source;
  module.file = std::move(parsed->file);
  module.name = module.file.module ? JoinPath(module.file.module->path) : fallback_name;
  module.types.resize(module.file.node_count);
  modules_.push_back(std::move(module));
  auto id = static_cast<uint32_t>(modules_.size() - 1);
  by_path_[key] = id;
  return id;
}

void Checker::LoadImports(uint32_t m) {
  for (uint32_t d = 0; d < modules_[m].file.decls.size(); ++d) {
    const auto* import = std::get_if<ast::ImportDecl>(&modules_[m].file.decls[d].kind);
    if (import == nullptr || import->path.empty()) continue;
    std::string name = JoinPath(import->path);
    std::string relative;
    for (const ast::Name& part : import->path) relative = (fs::path(relative) / part.text).string();
    std::string found;
    std::error_code ec;
    std::string bundled;  // the same module in the stdlib (the last directory), if any
    for (size_t i = 0; i < module_path_.size(); ++i) {
      const std::string& dir = module_path_[i];
      for (const fs::path& candidate :
           {fs::path(dir) / (relative + ".cordon"), fs::path(dir) / relative / "policy.cordon"}) {
        if (!fs::is_regular_file(candidate, ec)) continue;
        if (found.empty()) found = candidate.string();
        if (i + 1 == module_path_.size() && bundled.empty()) bundled = candidate.string();
      }
    }
    if (!found.empty() && !bundled.empty() &&
        fs::weakly_canonical(found, ec) != fs::weakly_canonical(bundled, ec)) {
      if (shadowed_.empty()) shadowed_at_ = {m, PathRange(import->path)};
      shadowed_.emplace(name, found);
    }
    Module::Import entry{.decl = d, .whole = !import->names.has_value()};
    SourceRange range = PathRange(import->path);
    if (found.empty()) {
      std::string searched;
      for (const std::string& dir : module_path_) {
        // Relative to the working directory when inside it, so messages do not depend on
        // where the checkout is.
        std::error_code rel_ec;
        std::string shown = fs::relative(dir, fs::current_path(rel_ec), rel_ec).string();
        if (rel_ec || shown.empty() || shown.rfind("..", 0) == 0) shown = dir;
        searched += (searched.empty() ? "" : ", ") + fmt::format("`{}`", shown);
      }
      emitter_
          .Error(DiagnosticKind::ModuleNotFound, Loc(m, range),
                 fmt::format("cannot find module `{}`", name))
          .Help(fmt::format("looked for `{}.cordon` and `{}/policy.cordon` in {}; add a "
                            "directory to the module path with `-I DIR`",
                            relative, relative, searched.empty() ? "no directories" : searched));
      modules_[m].imports.push_back(entry);
      continue;
    }
    ErrorOr<uint32_t> loaded = LoadFile(found, name);
    if (!loaded.ok()) {
      emitter_.Error(DiagnosticKind::ModuleNotFound, Loc(m, range),
                     fmt::format("cannot read module `{}`: {}", name, loaded.error().message));
      modules_[m].imports.push_back(entry);
      continue;
    }
    const Module& target = modules_[*loaded];
    if (target.name != name) {
      auto diag = emitter_.Error(
          DiagnosticKind::ModuleNameMismatch, Loc(m, range),
          fmt::format("`{}` declares module `{}`, not `{}`", found, target.name, name));
      if (target.file.module) {
        diag.Label(Location{target.source, PathRange(target.file.module->path)}, "declared here");
      }
      diag.Help(
          fmt::format("a module's name is its path under the module path: rename the "
                      "module in `{}` to `{}`, or import it as `{}`",
                      found, name, target.name));
      modules_[m].imports.push_back(entry);
      continue;
    }
    entry.module = *loaded;
    modules_[m].imports.push_back(entry);
  }
}

void Checker::OrderModules(const std::vector<uint32_t>& roots) {
  std::vector<State> state(modules_.size(), State::kUnvisited);
  std::vector<uint32_t> stack;
  // Depth is bounded by the number of modules, each visited once.
  std::function<void(uint32_t)> visit = [&](uint32_t m) {
    state[m] = State::kInProgress;
    stack.push_back(m);
    for (Module::Import& import : modules_[m].imports) {
      if (import.module == ir::kNoId) continue;
      if (state[import.module] == State::kInProgress) {
        std::string chain;
        auto start = std::find(stack.begin(), stack.end(), import.module);
        for (auto it = start; it != stack.end(); ++it) {
          chain += fmt::format("`{}` imports ", modules_[*it].name);
        }
        chain += fmt::format("`{}`", modules_[import.module].name);
        const auto& decl = std::get<ast::ImportDecl>(modules_[m].file.decls[import.decl].kind);
        emitter_
            .Error(DiagnosticKind::ImportCycle, Loc(m, PathRange(decl.path)),
                   fmt::format("import cycle: {}", chain))
            .Help("modules must form a hierarchy; move what both need into a third module");
        import.module = ir::kNoId;
        continue;
      }
      if (state[import.module] == State::kUnvisited) visit(import.module);
    }
    stack.pop_back();
    state[m] = State::kDone;
    order_.push_back(m);
  };
  for (uint32_t root : roots) {
    if (state[root] == State::kUnvisited) visit(root);
  }
}

void Checker::DeclareNames(uint32_t m) {
  Module& module = modules_[m];
  for (uint32_t d = 0; d < module.file.decls.size(); ++d) {
    const ast::Decl& decl = module.file.decls[d];
    const ast::Name* name = nullptr;
    SymbolKind kind = SymbolKind::kLet;
    if (const auto* unit = std::get_if<ast::UnitDecl>(&decl.kind)) {
      name = &unit->name;
      kind = SymbolKind::kUnit;
    } else if (const auto* input = std::get_if<ast::InputDecl>(&decl.kind)) {
      name = &input->name;
      kind = SymbolKind::kInput;
    } else if (const auto* let = std::get_if<ast::LetDecl>(&decl.kind)) {
      name = &let->name;
      kind = SymbolKind::kLet;
    } else if (const auto* table = std::get_if<ast::TableDecl>(&decl.kind)) {
      name = &table->name;
      kind = SymbolKind::kTable;
    } else if (const auto* norm = std::get_if<ast::NormalizationDecl>(&decl.kind)) {
      name = &norm->name;
      kind = SymbolKind::kNormalization;
    } else if (const auto* rule = std::get_if<ast::RuleDecl>(&decl.kind)) {
      module.has_rules = true;
      auto [it, inserted] = rule_names_.emplace(rule->name.text, std::pair{m, rule->name.range});
      if (!inserted) {
        emitter_
            .Error(DiagnosticKind::DuplicateName, Loc(m, rule->name.range),
                   fmt::format("a rule named `{}` already exists in this policy", rule->name.text))
            .Label(Loc(it->second.first, it->second.second), "first declared here")
            .Help("rule names identify reasons in every decision: give each rule its own name");
      }
      continue;
    }
    if (name == nullptr || name->text.empty()) continue;
    auto [it, inserted] = module.own.emplace(name->text, Symbol{kind, m, d});
    if (!inserted) {
      const ast::Decl& first = module.file.decls[it->second.decl];
      emitter_
          .Error(DiagnosticKind::DuplicateName, Loc(m, name->range),
                 fmt::format("`{}` is declared twice in module `{}`", name->text, module.name))
          .Label(Loc(m, first.range), "first declared here")
          .Help("rename one of them");
      continue;
    }
    module.visible.emplace(name->text, Module::Visible{.symbol = Symbol{kind, m, d}});
  }
}

void Checker::ImportNames(uint32_t m) {
  Module& module = modules_[m];
  for (Module::Import& import : module.imports) {
    if (import.module == ir::kNoId) {
      // The import was already reported: its names must not be reported again at each use.
      const auto& decl = std::get<ast::ImportDecl>(module.file.decls[import.decl].kind);
      if (decl.names) {
        for (const ast::Name& name : *decl.names) module.broken.insert(name.text);
      } else {
        module.has_broken_whole_import = true;
      }
      continue;
    }
    const Module& target = modules_[import.module];
    const auto& decl = std::get<ast::ImportDecl>(module.file.decls[import.decl].kind);
    if (import.whole) {
      for (const auto& [name, symbol] : target.own) {
        auto it = module.visible.find(name);
        if (it == module.visible.end()) {
          module.visible.emplace(name,
                                 Module::Visible{symbol, import.decl, PathRange(decl.path), false});
        } else if (it->second.import_decl != ir::kNoId &&
                   it->second.symbol.module != symbol.module) {
          auto& offers = module.ambiguous[name];
          if (offers.empty()) offers.push_back(it->second.symbol.module);
          offers.push_back(symbol.module);
        }
      }
      continue;
    }
    for (const ast::Name& name : *decl.names) {
      auto symbol = target.own.find(name.text);
      if (symbol == target.own.end()) {
        std::vector<std::string> own_names;
        for (const auto& [own_name, unused] : target.own) own_names.push_back(own_name);
        std::string names = QuotedList(own_names, 12);
        emitter_
            .Error(DiagnosticKind::UnknownImportedName, Loc(m, name.range),
                   fmt::format("module `{}` declares no `{}`", target.name, name.text))
            .Help(names.empty()
                      ? fmt::format("`{}` declares nothing that can be imported", target.name)
                      : fmt::format("`{}` declares {}", target.name, names));
        continue;
      }
      auto [it, inserted] = module.visible.emplace(
          name.text, Module::Visible{symbol->second, import.decl, name.range, false});
      if (!inserted) {
        emitter_
            .Error(DiagnosticKind::DuplicateName, Loc(m, name.range),
                   fmt::format("`{}` is imported from `{}` but this module already has a `{}`",
                               name.text, target.name, name.text))
            .Label(Loc(m, it->second.import_decl == ir::kNoId
                              ? modules_[m].file.decls[it->second.symbol.decl].range
                              : it->second.import_range),
                   "the other one")
            .Help("remove one of them from this module");
      }
    }
  }
}

auto Checker::Lookup(uint32_t module, const std::string& name, bool mark_used)
    -> const Module::Visible* {
  Module& m = modules_[module];
  auto it = m.visible.find(name);
  if (it == m.visible.end()) return nullptr;
  if (mark_used) {
    it->second.used = true;
    if (it->second.import_decl != ir::kNoId) {
      for (Module::Import& import : m.imports) {
        if (import.decl == it->second.import_decl) import.used = true;
      }
    }
    if (it->second.symbol.kind == SymbolKind::kLet) {
      lets_[{it->second.symbol.module, it->second.symbol.decl}].used = true;
    }
  }
  return &it->second;
}

void Checker::ReportUnused(uint32_t m) {
  Module& module = modules_[m];
  for (const Module::Import& import : module.imports) {
    if (import.module == ir::kNoId) continue;
    const auto& decl = std::get<ast::ImportDecl>(module.file.decls[import.decl].kind);
    if (import.whole) {
      // Importing a module also brings in its rules, its outcome lattice and its request.
      const Module& target = modules_[import.module];
      bool contributes =
          target.has_rules || target.own.count("Request") != 0 ||
          std::any_of(target.file.decls.begin(), target.file.decls.end(), [](const ast::Decl& d) {
            return std::holds_alternative<ast::OutcomesDecl>(d.kind);
          });
      if (!import.used && !contributes) {
        emitter_
            .Warning(DiagnosticKind::UnusedImport, Loc(m, PathRange(decl.path)),
                     fmt::format("nothing from module `{}` is used", modules_[import.module].name))
            .Help("remove the import");
      }
      continue;
    }
    for (const ast::Name& name : *decl.names) {
      auto it = module.visible.find(name.text);
      if (it == module.visible.end() || it->second.import_decl != import.decl || it->second.used) {
        continue;
      }
      emitter_
          .Warning(DiagnosticKind::UnusedImport, Loc(m, name.range),
                   fmt::format("`{}` is imported but never used", name.text))
          .Help("remove it from the import list");
    }
  }
  // A module without rules is a library: its definitions are there for its importers.
  if (!module.has_rules) return;
  for (uint32_t d = 0; d < module.file.decls.size(); ++d) {
    const auto* let = std::get_if<ast::LetDecl>(&module.file.decls[d].kind);
    if (let == nullptr || lets_[{m, d}].used) continue;
    emitter_
        .Warning(
            DiagnosticKind::UnusedLet, Loc(m, let->name.range),
            fmt::format("`{}` is defined but no rule, test or definition uses it", let->name.text))
        .Help("remove it, or use it in the rule it was written for");
  }
}

}  // namespace cordon::check
