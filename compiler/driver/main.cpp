// SPDX-License-Identifier: Apache-2.0
// Entry point of the `cordon` tool.
#include <iostream>

#include "compiler/driver/driver.h"

auto main(int argc, char** argv) -> int {
  return cordon::driver::RunDriver(argc, argv, std::cout, std::cerr);
}
