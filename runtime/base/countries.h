// SPDX-License-Identifier: Apache-2.0
// Countries: the officially assigned ISO 3166-1 alpha-2 codes, compiled in, as the small integers
// that the checker, the IR and country sets use, and the help Cordon gives for a code that is
// not one (`UK`, `CHN`, `cn`, `EU`).
#ifndef CORDON_RUNTIME_BASE_COUNTRIES_H_
#define CORDON_RUNTIME_BASE_COUNTRIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon {

// A country as a small integer: (c0-'A')*26 + (c1-'A') for an upper-case two-letter code; 0..675.
// A set of countries is a bitset of this many slots.
inline constexpr int kCountrySlots = 676;
using CountryIndex = uint16_t;

// The index of an officially assigned ISO 3166-1 alpha-2 code (exactly two upper-case ASCII
// letters, assigned), else nullopt. Reserved and user-assigned codes (`UK`, `EU`, `XK`) are not.
auto LookupCountry(std::string_view code) -> std::optional<CountryIndex>;

// The country an English name denotes ("China", "Hong Kong", "Turkey", "Burma"), ignoring ASCII
// case: the ISO short names and the other names CountryHelp knows; else nullopt.
auto LookupCountryName(std::string_view name) -> std::optional<CountryIndex>;

// The two letters of `index` ("CN"), assigned or not; "" when `index` >= kCountrySlots.
auto CountryCode(CountryIndex index) -> std::string;

// The English short name of an assigned code ("China", "Taiwan", "North Korea"); "" otherwise.
auto CountryName(CountryIndex index) -> std::string_view;

// For a string that is not an assigned code: one help line, or "" when nothing useful can be
// said. Knows reserved and withdrawn codes (`UK` is `GB`, `EU` is not a country), alpha-3 codes
// (`CHN` is `CN`), case (`cn`), country names (`Germany`) and swapped letters (`HC` for `CH`).
// Returns "" for an assigned code.
auto CountryHelp(std::string_view code) -> std::string;

}  // namespace cordon

#endif  // CORDON_RUNTIME_BASE_COUNTRIES_H_
