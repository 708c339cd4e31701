// SPDX-License-Identifier: Apache-2.0
#include "compiler/frontend/frontend.h"

#include "compiler/parse/parse.h"

namespace cordon::frontend {

auto SourceStore::Load(const std::string& path, size_t max_bytes) -> ErrorOr<const SourceBuffer*> {
  if (auto it = provided_.find(path); it != provided_.end()) {
    buffers_.push_back(std::make_unique<SourceBuffer>(SourceBuffer::FromText(path, it->second)));
    return buffers_.back().get();
  }
  ErrorOr<SourceBuffer> buffer = SourceBuffer::FromFile(path, max_bytes);
  if (!buffer.ok()) return buffer.error();
  buffers_.push_back(std::make_unique<SourceBuffer>(std::move(buffer).value()));
  return buffers_.back().get();
}

auto SourceStore::Paths() const -> std::vector<std::string> {
  std::vector<std::string> paths;
  for (const auto& buffer : buffers_) {
    if (!provided_.contains(buffer->filename())) paths.push_back(buffer->filename());
  }
  return paths;
}

auto FileLoader::LoadModule(const std::string& path, size_t max_bytes) -> ErrorOr<Parsed> {
  ErrorOr<const SourceBuffer*> source = sources_.Load(path, max_bytes);
  if (!source.ok()) return source.error();
  parse::ParseOptions options;
  options.max_source_bytes = max_bytes;
  return Parsed{.source = *source, .file = parse::Parse(**source, emitter_, options)};
}

auto FileLoader::LoadTable(const std::string& path, size_t max_bytes)
    -> ErrorOr<const SourceBuffer*> {
  return sources_.Load(path, max_bytes);
}

auto CheckFiles(const std::vector<std::string>& roots, const check::CheckOptions& options,
                SourceStore& sources, DiagnosticEmitter& emitter)
    -> ErrorOr<std::optional<ir::Program>> {
  FileLoader loader(sources, emitter);
  return check::CheckProgram(roots, options, loader, emitter);
}

auto CheckText(const std::string& path, std::string text, SourceStore& sources,
               DiagnosticEmitter& emitter) -> ErrorOr<std::optional<ir::Program>> {
  sources.Provide(path, std::move(text));
  return CheckFiles({path}, check::CheckOptions{}, sources, emitter);
}

}  // namespace cordon::frontend
