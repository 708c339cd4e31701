// SPDX-License-Identifier: Apache-2.0
// `cordon lsp`: the language server on stdin and stdout (compiler/lsp), with the module path
// every other subcommand uses.
#include "compiler/lsp/lsp.h"

#include <filesystem>
#include <iostream>

#include "compiler/driver/session.h"

namespace cordon::driver {

auto RunLsp(const Options& options, std::ostream& out, std::ostream& err) -> int {
  Session session(options, err);
  lsp::ServerOptions server;
  server.check = session.CheckOptions();
  // Documents arrive as absolute paths: the module path must be absolute too, so that an open
  // document is found under the name the checker builds for it.
  for (std::string& dir : server.check.module_path) {
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
    if (!ec) dir = absolute.lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  }
  return lsp::Serve(std::cin, out, err, server);
}

}  // namespace cordon::driver
