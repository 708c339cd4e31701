// SPDX-License-Identifier: Apache-2.0
// `cordon serve`: the command line's options made into a serve::Config (compiler/serve/).
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/session.h"
#include "compiler/serve/server.h"

namespace cordon::driver {

auto RunServe(const Options& options, std::ostream& /*out*/, std::ostream& err) -> int {
  Session session(options, err);
  serve::Config config;
  if (!serve::ParseListen(options.listen, config.host, config.port)) {
    session.ToolFailure(
        fmt::format("--listen `{}`: write HOST:PORT, such as 127.0.0.1:8181", options.listen));
    return session.Finish();
  }
  const int given = (options.policies.empty() ? 0 : 1) + (options.bundle_path.empty() ? 0 : 1);
  if (given == 0 && options.library.empty()) {
    session.ToolFailure(
        "name the policy to serve: --policy rule files, --library a .so, or "
        "--bundle a bundle");
    return session.Finish();
  }
  if (!options.bundle_path.empty() && (!options.policies.empty() || !options.library.empty())) {
    session.ToolFailure("--bundle is the whole policy: give it without --policy or --library");
    return session.Finish();
  }
  if (!options.library.empty() && options.engine != "aot") {
    session.ToolFailure("--library is a compiled .so: use it with --engine aot");
    return session.Finish();
  }
  if (options.playground && options.policies.empty()) {
    session.ToolFailure("--playground edits rule files: serve the policy with --policy");
    return session.Finish();
  }
  config.policy.roots = options.policies;
  config.policy.module_path = session.CheckOptions().module_path;
  config.policy.library = options.library;
  config.policy.bundle = options.bundle_path;
  config.policy.engine = options.engine == "jit"   ? runtime::EngineKind::kJit
                         : options.engine == "aot" ? runtime::EngineKind::kAot
                                                   : runtime::EngineKind::kInterp;
  if (!options.admin_token_file.empty()) {
    std::ifstream in(options.admin_token_file);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      session.ToolFailure(
          fmt::format("--admin-token-file {}: cannot read it", options.admin_token_file));
      return session.Finish();
    }
    std::string token = text.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    if (token.size() < 16 || token.find_first_of(" \t\r\n") != std::string::npos) {
      session.ToolFailure(
          fmt::format("--admin-token-file {}: the token must be one word of at least 16 characters",
                      options.admin_token_file));
      return session.Finish();
    }
    config.admin_token = token;
  }
  config.decision_log = options.decision_log;
  config.log_max_bytes = options.log_max_bytes;
  config.max_body_bytes = options.max_body_bytes;
  config.http_threads = options.http_threads;
  config.playground = options.playground;
  config.examples_dir = options.examples_dir;
  config.source_root =
      std::filesystem::path(config.policy.module_path.back()).parent_path().string();
  int code = serve::Run(config, err);
  session.Finish();
  return code;
}

}  // namespace cordon::driver
