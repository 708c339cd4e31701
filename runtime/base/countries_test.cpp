// SPDX-License-Identifier: Apache-2.0
#include "runtime/base/countries.h"

#include <gtest/gtest.h>

namespace cordon {
namespace {

TEST(CountriesTest, ExactlyTheAssignedCodes) {
  int assigned = 0;
  for (int i = 0; i < kCountrySlots; ++i) {
    auto index = static_cast<CountryIndex>(i);
    bool has_name = !CountryName(index).empty();
    EXPECT_EQ(LookupCountry(CountryCode(index)).has_value(), has_name) << CountryCode(index);
    assigned += has_name ? 1 : 0;
  }
  EXPECT_EQ(assigned, 249);
}

TEST(CountriesTest, RoundTrip) {
  for (std::string_view code : {"AD", "CN", "GB", "US", "ZW", "AX", "BQ", "SS", "SX"}) {
    std::optional<CountryIndex> index = LookupCountry(code);
    ASSERT_TRUE(index) << code;
    EXPECT_EQ(CountryCode(*index), code);
  }
  EXPECT_EQ(*LookupCountry("AD"), 3);
  EXPECT_EQ(*LookupCountry("ZW"), 25 * 26 + 22);
  EXPECT_EQ(CountryCode(0), "AA");
  EXPECT_EQ(CountryCode(675), "ZZ");
  EXPECT_EQ(*LookupCountry("CN"), 2 * 26 + 13);
  EXPECT_EQ(CountryCode(kCountrySlots), "");
  EXPECT_EQ(CountryName(kCountrySlots), "");
}

TEST(CountriesTest, ChinaAndItsNeighbours) {
  ASSERT_TRUE(LookupCountry("CN"));
  EXPECT_EQ(CountryName(*LookupCountry("CN")), "China");
  EXPECT_EQ(CountryName(*LookupCountry("HK")), "Hong Kong");
  EXPECT_EQ(CountryName(*LookupCountry("MO")), "Macao");
  EXPECT_EQ(CountryName(*LookupCountry("TW")), "Taiwan");
  EXPECT_EQ(CountryName(*LookupCountry("KP")), "North Korea");
  EXPECT_EQ(CountryName(*LookupCountry("GB")), "United Kingdom");
  for (std::string_view code : {"CN", "MO", "HK", "TW"}) {
    EXPECT_EQ(CountryHelp(code), "") << code;
  }
}

TEST(CountriesTest, RejectsWhatIsNotAnAssignedCode) {
  for (std::string_view code : {"UK", "XX", "cn", "Cn", "CHN", "EU", "C", "CNN", "", "XK", " CN",
                                "C1", "1C", "\xC3\x87N"}) {
    EXPECT_FALSE(LookupCountry(code)) << code;
  }
}

TEST(CountriesTest, HelpForReservedAndWithdrawnCodes) {
  EXPECT_EQ(CountryHelp("UK"), "the ISO 3166-1 code for the United Kingdom is `GB`");
  EXPECT_EQ(CountryHelp("uk"), "the ISO 3166-1 code for the United Kingdom is `GB`");
  EXPECT_EQ(CountryHelp("EL"),
            "the ISO 3166-1 code for Greece is `GR` (`EL` is the European Union's abbreviation)");
  EXPECT_EQ(CountryHelp("EU"),
            "`EU` is a reserved code, not a country; name the member states, e.g. with a country "
            "group");
  EXPECT_EQ(CountryHelp("XK"),
            "`XK` (Kosovo) is a user-assigned code that some agencies use, not an ISO 3166-1 "
            "code; Cordon's countries are ISO 3166-1 alpha-2 codes");
  EXPECT_EQ(CountryHelp("BU"), "`BU` (Burma) is no longer assigned; Myanmar is `MM`");
}

TEST(CountriesTest, HelpForCaseSpacesAndAlpha3) {
  EXPECT_EQ(CountryHelp("cn"), "country codes are upper case: `CN`");
  EXPECT_EQ(CountryHelp("Tw"), "country codes are upper case: `TW`");
  EXPECT_EQ(CountryHelp(" CN"), "write the code without spaces: `CN`");
  EXPECT_EQ(CountryHelp("CHN"), "`CHN` is an alpha-3 code; Cordon uses alpha-2: `CN`");
  EXPECT_EQ(CountryHelp("chn"), "`chn` is an alpha-3 code; Cordon uses alpha-2: `CN`");
  EXPECT_EQ(CountryHelp("USA"), "`USA` is an alpha-3 code; Cordon uses alpha-2: `US`");
  EXPECT_EQ(CountryHelp("MAC"), "`MAC` is an alpha-3 code; Cordon uses alpha-2: `MO`");
  EXPECT_EQ(CountryHelp("GER"),
            "`GER` is not an ISO 3166-1 code; the ISO 3166-1 code for Germany is `DE`");
}

TEST(CountriesTest, HelpForNames) {
  EXPECT_EQ(CountryHelp("China"), "the ISO 3166-1 code for China is `CN`");
  EXPECT_EQ(CountryHelp("germany"), "the ISO 3166-1 code for Germany is `DE`");
  EXPECT_EQ(CountryHelp("Burma"), "the ISO 3166-1 code for Myanmar is `MM`");
  EXPECT_EQ(CountryHelp("Korea, South"), "the ISO 3166-1 code for South Korea is `KR`");
  EXPECT_EQ(CountryHelp("Netherlands"), "the ISO 3166-1 code for the Netherlands is `NL`");
  EXPECT_EQ(CountryHelp("United States"), "the ISO 3166-1 code for the United States is `US`");
}

TEST(CountriesTest, HelpForOtherStrings) {
  const std::string form =
      "country codes are two upper-case letters from ISO 3166-1, such as `CN` or `US`";
  EXPECT_EQ(CountryHelp(""), form);
  EXPECT_EQ(CountryHelp("C"), form);
  EXPECT_EQ(CountryHelp("CNN"), form);
  EXPECT_EQ(CountryHelp("C1"), form);
  // An unassigned code: only swapped letters are worth a suggestion.
  EXPECT_EQ(CountryHelp("XX"), "");
  EXPECT_EQ(CountryHelp("QZ"), "");
  EXPECT_EQ(CountryHelp("HC"), "did you mean `CH` (Switzerland)?");
  EXPECT_EQ(CountryHelp("WT"), "did you mean `TW` (Taiwan)?");
  // An assigned code needs no help.
  EXPECT_EQ(CountryHelp("GB"), "");
}

}  // namespace
}  // namespace cordon
