// SPDX-License-Identifier: Apache-2.0
// Party names as screening lists compare them. The Entity List publishes "IFLYTEK Co., Ltd."; an
// order says "iFlytek Co Ltd" or "IFLYTEK". A table column declared `match normalized` compares
// names after NormalizeName, so these match, while a different name ("iFlytec") does not.
#ifndef CORDON_COMPILER_BASE_NAMES_H_
#define CORDON_COMPILER_BASE_NAMES_H_

#include <string>
#include <string_view>

namespace cordon {

// ASCII letters lowercased; every ASCII character that is not a letter or digit is a separator;
// runs of separators become one space, none at either end; then trailing legal-form words
// ("co", "ltd", "limited", "inc", "corp", "llc", "gmbh", …) are dropped while another word
// remains. Bytes of UTF-8 sequences are kept as they are: "华为技术有限公司" is its own form.
// Writes into `out` (reusing its capacity) and returns it.
auto NormalizeName(std::string_view name, std::string& out) -> std::string_view;
auto NormalizeName(std::string_view name) -> std::string;

}  // namespace cordon

#endif  // CORDON_COMPILER_BASE_NAMES_H_
