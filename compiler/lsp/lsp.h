// SPDX-License-Identifier: Apache-2.0
// `cordon lsp`: a Language Server Protocol server over a pair of streams (stdin and stdout for
// the command). It checks each open document as a policy of its own, with the unsaved text of
// every open document served from memory, and answers an editor's questions (hover, definition,
// completion, symbols, formatting) from the checker's SymbolIndex. Only protocol messages are
// written to `out`.
#ifndef CORDON_COMPILER_LSP_LSP_H_
#define CORDON_COMPILER_LSP_LSP_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/check/check.h"

namespace cordon::lsp {

struct ServerOptions {
  // The module path (`-I` directories, then the stdlib) and the source size limit.
  check::CheckOptions check;
};

// Serves until `exit` or the end of `in`. Returns 0 when the client asked for `shutdown` first,
// else 1 (the protocol's rule for `exit`). `log` receives the server's own troubles, never
// protocol messages.
auto Serve(std::istream& in, std::ostream& out, std::ostream& log, const ServerOptions& options)
    -> int;

// Positions as the protocol counts them: lines from 0, characters in UTF-16 code units.
struct Position {
  uint32_t line = 0;
  uint32_t character = 0;
};

// Byte offsets of a text <-> protocol positions. Bytes that are not UTF-8 count one unit each.
class LineMap {
 public:
  explicit LineMap(std::string_view text);
  auto PositionOf(uint32_t offset) const -> Position;
  // Past the end of a line: its end; past the last line: the end of the text.
  auto OffsetOf(Position position) const -> uint32_t;

 private:
  std::string_view text_;
  std::vector<uint32_t> starts_;  // INVARIANT: starts_[0] == 0, sorted
};

// `file:///a%20b/c.cordon` <-> `/a b/c.cordon`; another scheme's URI is its own path.
auto UriToPath(std::string_view uri) -> std::string;
auto PathToUri(std::string_view path) -> std::string;

// `text` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD.
auto SanitizeUtf8(std::string_view text) -> std::string;

}  // namespace cordon::lsp

#endif  // CORDON_COMPILER_LSP_LSP_H_
