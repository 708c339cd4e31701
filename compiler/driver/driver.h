// SPDX-License-Identifier: Apache-2.0
// The `cordon` command line: glue between the phases, no logic of its own.
#ifndef CORDON_COMPILER_DRIVER_DRIVER_H_
#define CORDON_COMPILER_DRIVER_DRIVER_H_

#include <iosfwd>

namespace cordon::driver {

// Exit codes, listed in README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitToolFailure = 1,  // unreadable file, a directory, a bad command line
  kExitInputErrors = 2,  // the rule text has errors (the policy does not compile)
  kExitTestsFailed = 3,  // `cordon test`: a test block failed
  kExitBadRequests = 4,  // `cordon decide`: a request was malformed (the others were decided)
};

// Runs one command line. Never throws and never calls exit().
auto RunDriver(int argc, const char* const* argv, std::ostream& out, std::ostream& err) -> int;

}  // namespace cordon::driver

#endif  // CORDON_COMPILER_DRIVER_DRIVER_H_
