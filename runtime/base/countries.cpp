// SPDX-License-Identifier: Apache-2.0
// The ISO 3166-1 table: all 249 officially assigned alpha-2 codes as of 2023 (the latest change:
// Turkey's name to Türkiye, 2022), with readable English short names and alpha-3 codes, and the
// tables behind CountryHelp: reserved and withdrawn codes, names that people write instead of
// codes, and three-letter sports codes that are not ISO codes.
#include "runtime/base/countries.h"

#include <array>
#include <cstddef>

namespace cordon {
namespace {

struct CountryEntry {
  char alpha2[3];
  char alpha3[4];
  std::string_view name;
};

// INVARIANT: sorted by alpha2, no duplicates (checked below). Names follow the ISO short name,
// in its common form where ISO gives one ("Iran", "South Korea", "Taiwan"), in UTF-8.
constexpr std::array<CountryEntry, 249> kCountries = {{
    {"AD", "AND", "Andorra"},
    {"AE", "ARE", "United Arab Emirates"},
    {"AF", "AFG", "Afghanistan"},
    {"AG", "ATG", "Antigua and Barbuda"},
    {"AI", "AIA", "Anguilla"},
    {"AL", "ALB", "Albania"},
    {"AM", "ARM", "Armenia"},
    {"AO", "AGO", "Angola"},
    {"AQ", "ATA", "Antarctica"},
    {"AR", "ARG", "Argentina"},
    {"AS", "ASM", "American Samoa"},
    {"AT", "AUT", "Austria"},
    {"AU", "AUS", "Australia"},
    {"AW", "ABW", "Aruba"},
    {"AX", "ALA", "Åland Islands"},
    {"AZ", "AZE", "Azerbaijan"},
    {"BA", "BIH", "Bosnia and Herzegovina"},
    {"BB", "BRB", "Barbados"},
    {"BD", "BGD", "Bangladesh"},
    {"BE", "BEL", "Belgium"},
    {"BF", "BFA", "Burkina Faso"},
    {"BG", "BGR", "Bulgaria"},
    {"BH", "BHR", "Bahrain"},
    {"BI", "BDI", "Burundi"},
    {"BJ", "BEN", "Benin"},
    {"BL", "BLM", "Saint Barthélemy"},
    {"BM", "BMU", "Bermuda"},
    {"BN", "BRN", "Brunei"},
    {"BO", "BOL", "Bolivia"},
    {"BQ", "BES", "Bonaire, Sint Eustatius and Saba"},
    {"BR", "BRA", "Brazil"},
    {"BS", "BHS", "Bahamas"},
    {"BT", "BTN", "Bhutan"},
    {"BV", "BVT", "Bouvet Island"},
    {"BW", "BWA", "Botswana"},
    {"BY", "BLR", "Belarus"},
    {"BZ", "BLZ", "Belize"},
    {"CA", "CAN", "Canada"},
    {"CC", "CCK", "Cocos (Keeling) Islands"},
    {"CD", "COD", "Democratic Republic of the Congo"},
    {"CF", "CAF", "Central African Republic"},
    {"CG", "COG", "Republic of the Congo"},
    {"CH", "CHE", "Switzerland"},
    {"CI", "CIV", "Côte d'Ivoire"},
    {"CK", "COK", "Cook Islands"},
    {"CL", "CHL", "Chile"},
    {"CM", "CMR", "Cameroon"},
    {"CN", "CHN", "China"},
    {"CO", "COL", "Colombia"},
    {"CR", "CRI", "Costa Rica"},
    {"CU", "CUB", "Cuba"},
    {"CV", "CPV", "Cabo Verde"},
    {"CW", "CUW", "Curaçao"},
    {"CX", "CXR", "Christmas Island"},
    {"CY", "CYP", "Cyprus"},
    {"CZ", "CZE", "Czechia"},
    {"DE", "DEU", "Germany"},
    {"DJ", "DJI", "Djibouti"},
    {"DK", "DNK", "Denmark"},
    {"DM", "DMA", "Dominica"},
    {"DO", "DOM", "Dominican Republic"},
    {"DZ", "DZA", "Algeria"},
    {"EC", "ECU", "Ecuador"},
    {"EE", "EST", "Estonia"},
    {"EG", "EGY", "Egypt"},
    {"EH", "ESH", "Western Sahara"},
    {"ER", "ERI", "Eritrea"},
    {"ES", "ESP", "Spain"},
    {"ET", "ETH", "Ethiopia"},
    {"FI", "FIN", "Finland"},
    {"FJ", "FJI", "Fiji"},
    {"FK", "FLK", "Falkland Islands"},
    {"FM", "FSM", "Micronesia"},
    {"FO", "FRO", "Faroe Islands"},
    {"FR", "FRA", "France"},
    {"GA", "GAB", "Gabon"},
    {"GB", "GBR", "United Kingdom"},
    {"GD", "GRD", "Grenada"},
    {"GE", "GEO", "Georgia"},
    {"GF", "GUF", "French Guiana"},
    {"GG", "GGY", "Guernsey"},
    {"GH", "GHA", "Ghana"},
    {"GI", "GIB", "Gibraltar"},
    {"GL", "GRL", "Greenland"},
    {"GM", "GMB", "Gambia"},
    {"GN", "GIN", "Guinea"},
    {"GP", "GLP", "Guadeloupe"},
    {"GQ", "GNQ", "Equatorial Guinea"},
    {"GR", "GRC", "Greece"},
    {"GS", "SGS", "South Georgia and the South Sandwich Islands"},
    {"GT", "GTM", "Guatemala"},
    {"GU", "GUM", "Guam"},
    {"GW", "GNB", "Guinea-Bissau"},
    {"GY", "GUY", "Guyana"},
    {"HK", "HKG", "Hong Kong"},
    {"HM", "HMD", "Heard Island and McDonald Islands"},
    {"HN", "HND", "Honduras"},
    {"HR", "HRV", "Croatia"},
    {"HT", "HTI", "Haiti"},
    {"HU", "HUN", "Hungary"},
    {"ID", "IDN", "Indonesia"},
    {"IE", "IRL", "Ireland"},
    {"IL", "ISR", "Israel"},
    {"IM", "IMN", "Isle of Man"},
    {"IN", "IND", "India"},
    {"IO", "IOT", "British Indian Ocean Territory"},
    {"IQ", "IRQ", "Iraq"},
    {"IR", "IRN", "Iran"},
    {"IS", "ISL", "Iceland"},
    {"IT", "ITA", "Italy"},
    {"JE", "JEY", "Jersey"},
    {"JM", "JAM", "Jamaica"},
    {"JO", "JOR", "Jordan"},
    {"JP", "JPN", "Japan"},
    {"KE", "KEN", "Kenya"},
    {"KG", "KGZ", "Kyrgyzstan"},
    {"KH", "KHM", "Cambodia"},
    {"KI", "KIR", "Kiribati"},
    {"KM", "COM", "Comoros"},
    {"KN", "KNA", "Saint Kitts and Nevis"},
    {"KP", "PRK", "North Korea"},
    {"KR", "KOR", "South Korea"},
    {"KW", "KWT", "Kuwait"},
    {"KY", "CYM", "Cayman Islands"},
    {"KZ", "KAZ", "Kazakhstan"},
    {"LA", "LAO", "Laos"},
    {"LB", "LBN", "Lebanon"},
    {"LC", "LCA", "Saint Lucia"},
    {"LI", "LIE", "Liechtenstein"},
    {"LK", "LKA", "Sri Lanka"},
    {"LR", "LBR", "Liberia"},
    {"LS", "LSO", "Lesotho"},
    {"LT", "LTU", "Lithuania"},
    {"LU", "LUX", "Luxembourg"},
    {"LV", "LVA", "Latvia"},
    {"LY", "LBY", "Libya"},
    {"MA", "MAR", "Morocco"},
    {"MC", "MCO", "Monaco"},
    {"MD", "MDA", "Moldova"},
    {"ME", "MNE", "Montenegro"},
    {"MF", "MAF", "Saint Martin (French part)"},
    {"MG", "MDG", "Madagascar"},
    {"MH", "MHL", "Marshall Islands"},
    {"MK", "MKD", "North Macedonia"},
    {"ML", "MLI", "Mali"},
    {"MM", "MMR", "Myanmar"},
    {"MN", "MNG", "Mongolia"},
    {"MO", "MAC", "Macao"},
    {"MP", "MNP", "Northern Mariana Islands"},
    {"MQ", "MTQ", "Martinique"},
    {"MR", "MRT", "Mauritania"},
    {"MS", "MSR", "Montserrat"},
    {"MT", "MLT", "Malta"},
    {"MU", "MUS", "Mauritius"},
    {"MV", "MDV", "Maldives"},
    {"MW", "MWI", "Malawi"},
    {"MX", "MEX", "Mexico"},
    {"MY", "MYS", "Malaysia"},
    {"MZ", "MOZ", "Mozambique"},
    {"NA", "NAM", "Namibia"},
    {"NC", "NCL", "New Caledonia"},
    {"NE", "NER", "Niger"},
    {"NF", "NFK", "Norfolk Island"},
    {"NG", "NGA", "Nigeria"},
    {"NI", "NIC", "Nicaragua"},
    {"NL", "NLD", "Netherlands"},
    {"NO", "NOR", "Norway"},
    {"NP", "NPL", "Nepal"},
    {"NR", "NRU", "Nauru"},
    {"NU", "NIU", "Niue"},
    {"NZ", "NZL", "New Zealand"},
    {"OM", "OMN", "Oman"},
    {"PA", "PAN", "Panama"},
    {"PE", "PER", "Peru"},
    {"PF", "PYF", "French Polynesia"},
    {"PG", "PNG", "Papua New Guinea"},
    {"PH", "PHL", "Philippines"},
    {"PK", "PAK", "Pakistan"},
    {"PL", "POL", "Poland"},
    {"PM", "SPM", "Saint Pierre and Miquelon"},
    {"PN", "PCN", "Pitcairn"},
    {"PR", "PRI", "Puerto Rico"},
    {"PS", "PSE", "Palestine"},
    {"PT", "PRT", "Portugal"},
    {"PW", "PLW", "Palau"},
    {"PY", "PRY", "Paraguay"},
    {"QA", "QAT", "Qatar"},
    {"RE", "REU", "Réunion"},
    {"RO", "ROU", "Romania"},
    {"RS", "SRB", "Serbia"},
    {"RU", "RUS", "Russia"},
    {"RW", "RWA", "Rwanda"},
    {"SA", "SAU", "Saudi Arabia"},
    {"SB", "SLB", "Solomon Islands"},
    {"SC", "SYC", "Seychelles"},
    {"SD", "SDN", "Sudan"},
    {"SE", "SWE", "Sweden"},
    {"SG", "SGP", "Singapore"},
    {"SH", "SHN", "Saint Helena, Ascension and Tristan da Cunha"},
    {"SI", "SVN", "Slovenia"},
    {"SJ", "SJM", "Svalbard and Jan Mayen"},
    {"SK", "SVK", "Slovakia"},
    {"SL", "SLE", "Sierra Leone"},
    {"SM", "SMR", "San Marino"},
    {"SN", "SEN", "Senegal"},
    {"SO", "SOM", "Somalia"},
    {"SR", "SUR", "Suriname"},
    {"SS", "SSD", "South Sudan"},
    {"ST", "STP", "Sao Tome and Principe"},
    {"SV", "SLV", "El Salvador"},
    {"SX", "SXM", "Sint Maarten (Dutch part)"},
    {"SY", "SYR", "Syria"},
    {"SZ", "SWZ", "Eswatini"},
    {"TC", "TCA", "Turks and Caicos Islands"},
    {"TD", "TCD", "Chad"},
    {"TF", "ATF", "French Southern Territories"},
    {"TG", "TGO", "Togo"},
    {"TH", "THA", "Thailand"},
    {"TJ", "TJK", "Tajikistan"},
    {"TK", "TKL", "Tokelau"},
    {"TL", "TLS", "Timor-Leste"},
    {"TM", "TKM", "Turkmenistan"},
    {"TN", "TUN", "Tunisia"},
    {"TO", "TON", "Tonga"},
    {"TR", "TUR", "Türkiye"},
    {"TT", "TTO", "Trinidad and Tobago"},
    {"TV", "TUV", "Tuvalu"},
    {"TW", "TWN", "Taiwan"},
    {"TZ", "TZA", "Tanzania"},
    {"UA", "UKR", "Ukraine"},
    {"UG", "UGA", "Uganda"},
    {"UM", "UMI", "United States Minor Outlying Islands"},
    {"US", "USA", "United States"},
    {"UY", "URY", "Uruguay"},
    {"UZ", "UZB", "Uzbekistan"},
    {"VA", "VAT", "Holy See"},
    {"VC", "VCT", "Saint Vincent and the Grenadines"},
    {"VE", "VEN", "Venezuela"},
    {"VG", "VGB", "British Virgin Islands"},
    {"VI", "VIR", "U.S. Virgin Islands"},
    {"VN", "VNM", "Vietnam"},
    {"VU", "VUT", "Vanuatu"},
    {"WF", "WLF", "Wallis and Futuna"},
    {"WS", "WSM", "Samoa"},
    {"YE", "YEM", "Yemen"},
    {"YT", "MYT", "Mayotte"},
    {"ZA", "ZAF", "South Africa"},
    {"ZM", "ZMB", "Zambia"},
    {"ZW", "ZWE", "Zimbabwe"},
}};

constexpr auto SlotOf(const char* code) -> int { return (code[0] - 'A') * 26 + (code[1] - 'A'); }

constexpr auto TableIsSortedAndUnique() -> bool {
  for (size_t i = 0; i < kCountries.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      if (kCountries[i].alpha2[k] < 'A' || kCountries[i].alpha2[k] > 'Z') return false;
    }
    if (i > 0 && SlotOf(kCountries[i - 1].alpha2) >= SlotOf(kCountries[i].alpha2)) return false;
  }
  return true;
}
static_assert(TableIsSortedAndUnique());

// Slot (see CountryIndex) to position in kCountries, or -1 when the code is not assigned.
constexpr auto kSlotToEntry = [] {
  std::array<int16_t, kCountrySlots> slots{};
  slots.fill(-1);
  for (size_t i = 0; i < kCountries.size(); ++i) {
    slots[SlotOf(kCountries[i].alpha2)] = static_cast<int16_t>(i);
  }
  return slots;
}();

// Two-letter strings that are not assigned but that people write: ISO's exceptionally and
// transitionally reserved codes, the EU's `EL`, and the user-assigned `XK`.
struct SpecialCode {
  char code[3];
  std::string_view help;
};

constexpr std::array<SpecialCode, 21> kSpecialCodes = {{
    {"AC", "Ascension Island is part of `SH` (Saint Helena, Ascension and Tristan da Cunha)"},
    {"AN", "`AN` (Netherlands Antilles) is no longer assigned; use `BQ`, `CW` or `SX`"},
    {"BU", "`BU` (Burma) is no longer assigned; Myanmar is `MM`"},
    {"CP", "Clipperton Island is part of France in ISO 3166-1: `FR`"},
    {"CS",
     "`CS` (Serbia and Montenegro, earlier Czechoslovakia) is no longer assigned; use `RS` and "
     "`ME`, or `CZ` and `SK`"},
    {"DD", "`DD` (East Germany) is no longer assigned; Germany is `DE`"},
    {"DG", "Diego Garcia is part of `IO` (British Indian Ocean Territory)"},
    {"EA", "Ceuta and Melilla are part of Spain in ISO 3166-1: `ES`"},
    {"EL", "the ISO 3166-1 code for Greece is `GR` (`EL` is the European Union's abbreviation)"},
    {"EU",
     "`EU` is a reserved code, not a country; name the member states, e.g. with a country group"},
    {"EZ",
     "`EZ` (the euro area) is a reserved code, not a country; name the member states, e.g. with "
     "a country group"},
    {"FX", "`FX` (Metropolitan France) is no longer assigned; France is `FR`"},
    {"IC", "the Canary Islands are part of Spain in ISO 3166-1: `ES`"},
    {"SU",
     "`SU` (the Soviet Union) is no longer assigned; use the codes of its successor states, such "
     "as `RU` for Russia"},
    {"TA", "Tristan da Cunha is part of `SH` (Saint Helena, Ascension and Tristan da Cunha)"},
    {"TP", "`TP` (East Timor) is no longer assigned; Timor-Leste is `TL`"},
    {"UK", "the ISO 3166-1 code for the United Kingdom is `GB`"},
    {"UN", "`UN` (the United Nations) is a reserved code, not a country"},
    {"XK",
     "`XK` (Kosovo) is a user-assigned code that some agencies use, not an ISO 3166-1 code; "
     "Cordon's countries are ISO 3166-1 alpha-2 codes"},
    {"YU",
     "`YU` (Yugoslavia) is no longer assigned; use the codes of its successor states: `BA`, `HR`, "
     "`ME`, `MK`, `RS` and `SI`"},
    {"ZR", "`ZR` (Zaire) is no longer assigned; the Democratic Republic of the Congo is `CD`"},
}};

// Names that are not the name in kCountries but that people (and the EAR's Supplement No. 1 to
// part 740) write for a country. Compared ignoring ASCII case.
struct NameAlias {
  std::string_view name;
  char alpha2[3];
};

constexpr std::array<NameAlias, 55> kNameAliases = {{
    // The ISO short names, where kCountries uses a shorter form.
    {"Brunei Darussalam", "BN"},
    {"Bolivia, Plurinational State of", "BO"},
    {"Congo, The Democratic Republic of the", "CD"},
    {"Congo", "CG"},
    {"Falkland Islands (Malvinas)", "FK"},
    {"Micronesia, Federated States of", "FM"},
    {"Iran, Islamic Republic of", "IR"},
    {"Korea, Democratic People's Republic of", "KP"},
    {"Korea, Republic of", "KR"},
    {"Lao People's Democratic Republic", "LA"},
    {"Moldova, Republic of", "MD"},
    {"Palestine, State of", "PS"},
    {"Russian Federation", "RU"},
    {"Syrian Arab Republic", "SY"},
    {"Taiwan, Province of China", "TW"},
    {"Tanzania, United Republic of", "TZ"},
    {"Holy See (Vatican City State)", "VA"},
    {"Venezuela, Bolivarian Republic of", "VE"},
    {"Virgin Islands, British", "VG"},
    {"Virgin Islands, U.S.", "VI"},
    {"Viet Nam", "VN"},
    // The names in the EAR's country group tables.
    {"Burma", "MM"},
    {"China (People's Republic of)", "CN"},
    {"Congo (Democratic Republic of the)", "CD"},
    {"Korea, North", "KP"},
    {"Korea, South", "KR"},
    {"Macau", "MO"},
    {"Turkiye", "TR"},
    // Other names in common use.
    {"Aland Islands", "AX"},
    {"America", "US"},
    {"Britain", "GB"},
    {"Cape Verde", "CV"},
    {"Chinese Taipei", "TW"},
    {"Cote d'Ivoire", "CI"},
    {"Curacao", "CW"},
    {"Czech Republic", "CZ"},
    {"Democratic People's Republic of Korea", "KP"},
    {"East Timor", "TL"},
    {"England", "GB"},
    {"Great Britain", "GB"},
    {"Holland", "NL"},
    {"Ivory Coast", "CI"},
    {"Macedonia", "MK"},
    {"Mainland China", "CN"},
    {"People's Republic of China", "CN"},
    {"Republic of Korea", "KR"},
    {"Reunion", "RE"},
    {"Saint Barthelemy", "BL"},
    {"Swaziland", "SZ"},
    {"The Netherlands", "NL"},
    {"Turkey", "TR"},
    {"United Kingdom of Great Britain and Northern Ireland", "GB"},
    {"United States of America", "US"},
    {"Vatican", "VA"},
    {"Vatican City", "VA"},
}};

// Codes of the Olympic movement and of common usage that are not ISO alpha-3 codes.
constexpr std::array<NameAlias, 22> kOtherThreeLetterCodes = {{
    {"BUL", "BG"}, {"CRO", "HR"}, {"DEN", "DK"}, {"ENG", "GB"},  {"GER", "DE"}, {"GRE", "GR"},
    {"INA", "ID"}, {"IRI", "IR"}, {"KSA", "SA"}, {"LAT", "LV"},  {"MAS", "MY"}, {"NED", "NL"},
    {"PHI", "PH"}, {"POR", "PT"}, {"PRC", "CN"}, {"ROK", "KR"},  {"RSA", "ZA"}, {"SUI", "CH"},
    {"TPE", "TW"}, {"UAE", "AE"}, {"VIE", "VN"}, {"DPRK", "KP"},
}};

constexpr auto IsAssigned(const char* code) -> bool { return kSlotToEntry[SlotOf(code)] >= 0; }

// The help tables must agree with kCountries: a special code is never assigned, an alias always
// names an assigned code, and no other code shadows an alpha-3 code.
constexpr auto HelpTablesAgree() -> bool {
  for (const SpecialCode& special : kSpecialCodes) {
    if (IsAssigned(special.code)) return false;
  }
  for (const NameAlias& alias : kNameAliases) {
    if (!IsAssigned(alias.alpha2)) return false;
  }
  for (const NameAlias& other : kOtherThreeLetterCodes) {
    if (!IsAssigned(other.alpha2)) return false;
    for (const CountryEntry& entry : kCountries) {
      if (other.name == entry.alpha3) return false;
    }
  }
  return true;
}
static_assert(HelpTablesAgree());

constexpr std::string_view kFormHelp =
    "country codes are two upper-case letters from ISO 3166-1, such as `CN` or `US`";

auto IsUpper(char c) -> bool { return c >= 'A' && c <= 'Z'; }

auto ToUpper(char c) -> char {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

auto AsciiUpper(std::string_view s) -> std::string {
  std::string out(s);
  for (char& c : out) c = ToUpper(c);
  return out;
}

auto EqualsIgnoringCase(std::string_view a, std::string_view b) -> bool {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToUpper(a[i]) != ToUpper(b[i])) return false;
  }
  return true;
}

auto TrimAscii(std::string_view s) -> std::string_view {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

auto EntryFor(std::string_view code) -> const CountryEntry* {
  std::optional<CountryIndex> index = LookupCountry(code);
  return index ? &kCountries[kSlotToEntry[*index]] : nullptr;
}

// Names that take "the" in a sentence, besides those starting "United" or "Republic" or ending
// "Islands".
constexpr std::string_view kNamesWithThe[] = {
    "Bahamas",     "Central African Republic",
    "Comoros",     "Dominican Republic",
    "Gambia",      "Holy See",
    "Maldives",    "Netherlands",
    "Philippines",
};

// "the United Kingdom", "China": the name as it reads after "for" in a sentence.
auto WithArticle(std::string_view name) -> std::string {
  bool the = name.starts_with("United ") || name.ends_with("Islands") ||
             name.starts_with("Democratic Republic") || name.starts_with("Republic of");
  for (std::string_view n : kNamesWithThe) the = the || name == n;
  return the ? "the " + std::string(name) : std::string(name);
}

auto CodeFor(const CountryEntry& entry) -> std::string {
  return "the ISO 3166-1 code for " + WithArticle(entry.name) + " is `" + entry.alpha2 + "`";
}

}  // namespace

auto LookupCountry(std::string_view code) -> std::optional<CountryIndex> {
  if (code.size() != 2 || !IsUpper(code[0]) || !IsUpper(code[1])) return std::nullopt;
  int slot = (code[0] - 'A') * 26 + (code[1] - 'A');
  if (kSlotToEntry[slot] < 0) return std::nullopt;
  return static_cast<CountryIndex>(slot);
}

auto CountryCode(CountryIndex index) -> std::string {
  if (index >= kCountrySlots) return "";
  return {static_cast<char>('A' + index / 26), static_cast<char>('A' + index % 26)};
}

auto CountryName(CountryIndex index) -> std::string_view {
  if (index >= kCountrySlots || kSlotToEntry[index] < 0) return "";
  return kCountries[kSlotToEntry[index]].name;
}

auto CountryHelp(std::string_view code) -> std::string {
  if (LookupCountry(code)) return "";
  std::string_view trimmed = TrimAscii(code);
  if (trimmed.empty()) return std::string(kFormHelp);
  if (trimmed != code && LookupCountry(trimmed)) {
    return "write the code without spaces: `" + std::string(trimmed) + "`";
  }
  std::string upper = AsciiUpper(trimmed);

  if (upper.size() == 2) {
    if (!IsUpper(upper[0]) || !IsUpper(upper[1])) return std::string(kFormHelp);
    if (upper != trimmed && LookupCountry(upper)) {
      return "country codes are upper case: `" + upper + "`";
    }
    for (const SpecialCode& special : kSpecialCodes) {
      if (upper == special.code) return std::string(special.help);
    }
    // Swapped letters are the one near miss worth naming: every other one-letter change of a
    // code is usually another assigned code, so suggesting it would mislead.
    if (const CountryEntry* swapped = EntryFor(std::string{upper[1], upper[0]})) {
      return "did you mean `" + std::string(swapped->alpha2) + "` (" + std::string(swapped->name) +
             ")?";
    }
    return "";
  }

  for (const CountryEntry& entry : kCountries) {
    if (upper == entry.alpha3) {
      return "`" + std::string(trimmed) + "` is an alpha-3 code; Cordon uses alpha-2: `" +
             entry.alpha2 + "`";
    }
  }
  for (const NameAlias& other : kOtherThreeLetterCodes) {
    if (upper == other.name) {
      return "`" + std::string(trimmed) + "` is not an ISO 3166-1 code; " +
             CodeFor(*EntryFor(other.alpha2));
    }
  }
  if (std::optional<CountryIndex> named = LookupCountryName(trimmed)) {
    return CodeFor(kCountries[kSlotToEntry[*named]]);
  }
  return std::string(kFormHelp);
}

auto LookupCountryName(std::string_view name) -> std::optional<CountryIndex> {
  for (const CountryEntry& entry : kCountries) {
    if (EqualsIgnoringCase(name, entry.name)) return LookupCountry(entry.alpha2);
  }
  for (const NameAlias& alias : kNameAliases) {
    if (EqualsIgnoringCase(name, alias.name)) return LookupCountry(alias.alpha2);
  }
  return std::nullopt;
}

}  // namespace cordon
