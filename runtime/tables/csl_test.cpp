// SPDX-License-Identifier: Apache-2.0
#include "runtime/tables/csl.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cordon::tables {
namespace {

constexpr std::string_view kHeader =
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,"
    "gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,"
    "alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,"
    "ids\n";
constexpr std::string_view kEl = "Entity List (EL) - Bureau of Industry and Security";
constexpr std::string_view kUvl = "Unverified List (UVL) - Bureau of Industry and Security";
constexpr std::string_view kSdn = "Specially Designated Nationals (SDN) - Treasury Department";

// One CSV row of the 29 columns with the cells an import reads.
auto Row(std::string_view source, std::string_view name, std::string_view addresses,
         std::string_view start, std::string_view alt_names = "",
         std::string_view policy = "Presumption of denial.") -> std::string {
  return fmt::format(
      "1,\"{}\",,Entity,,\"{}\",,\"{}\",84 FR 54002,{},,,For all items subject to the EAR.,"
      "{},,,,,,,,,\"{}\",,,,,,\n",
      source, name, addresses, start, policy, alt_names);
}

struct Imported {
  explicit Imported(std::string text, std::string name = "csl.csv")
      : file(SourceBuffer::FromText(std::move(name), std::move(text))),
        emitter(sink),
        import(ImportCsl(file, emitter)) {}
  auto At(size_t i) const -> std::string {
    const Diagnostic& d = sink.diagnostics.at(i);
    if (!d.location.range) return "file";
    LineCol lc = file.LineColAt(d.location.range->begin);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
  // The text the diagnostic points at, and its line.
  auto Points(size_t i) const -> std::string {
    const Diagnostic& d = sink.diagnostics.at(i);
    if (!d.location.range) return "file";
    SourceRange range = *d.location.range;
    return std::to_string(file.LineColAt(range.begin).line) + ": " +
           std::string(file.text().substr(range.begin, range.end - range.begin));
  }
  SourceBuffer file;
  CollectingConsumer sink;
  DiagnosticEmitter emitter;
  std::optional<CslImport> import;
};

TEST(CslTest, KeepsTheThreeBisListsAndCountsTheOthers) {
  Imported r(std::string(kHeader) +
             Row(kEl, "IFLYTEK Co., Ltd.", "666 Wangjiang West Road, Hefei, , , CN", "2019-10-09",
                 "iFlytek; Keda Xunfei") +
             Row(kSdn, "Some Vessel Owner", "Street, Caracas, , , VE", "") +
             Row(kUvl, "Yangtze Memory Technologies Co., Ltd.", "Wuhan, , , CN", "2022-10-07"));
  ASSERT_TRUE(r.import) << RenderToString(r.sink.diagnostics.at(0));
  EXPECT_TRUE(r.sink.diagnostics.empty());
  ASSERT_EQ(r.import->entries.size(), 2u);
  const CslEntry& e = r.import->entries[0];
  EXPECT_EQ(e.list, CslList::kEntityList);
  EXPECT_EQ(e.name, "IFLYTEK Co., Ltd.");
  EXPECT_EQ(e.alt_names, (std::vector<std::string>{"iFlytek", "Keda Xunfei"}));
  EXPECT_EQ(e.countries, (std::vector<std::string>{"CN"}));
  EXPECT_EQ(FormatDate(e.start_date.value()), "2019-10-09");
  EXPECT_EQ(e.federal_register_notice, "84 FR 54002");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(r.import->entries[1].list, CslList::kUnverifiedList);
  ASSERT_EQ(r.import->sources.size(), 3u);
  EXPECT_EQ(r.import->sources[1].source, kSdn);
  EXPECT_EQ(r.import->sources[1].rows, 1u);
  EXPECT_FALSE(r.import->sources[1].kept);
  EXPECT_FALSE(r.import->sources[1].unknown);
}

// BIS ends some alias lists with "; and X" (the CSL's own cells, e.g. CETC 13's entry).
TEST(CslTest, AnAliasAfterAndIsTheAlias) {
  Imported r(std::string(kHeader) + Row(kEl, "A Corp", "CN", "2020-05-22",
                                        "A Research Institute; and Anderson Labs; and"));
  ASSERT_TRUE(r.import);
  EXPECT_EQ(r.import->entries[0].alt_names,
            (std::vector<std::string>{"A Research Institute", "Anderson Labs"}));
}

TEST(CslTest, AddressCountriesAreCodesOrNamesEachOnce) {
  Imported r(std::string(kHeader) + Row(kEl, "A Corp",
                                        "1 Road, Beijing, , , CN; 2 Road, Kowloon, "
                                        ", , Hong Kong; 3 Road, Beijing, , , CN",
                                        "2020-05-22"));
  ASSERT_TRUE(r.import);
  EXPECT_EQ(r.import->entries[0].countries, (std::vector<std::string>{"CN", "HK"}));
}

TEST(CslTest, AnUnknownAddressCountryIsAWarningAndTheEntryStays) {
  Imported r(std::string(kHeader) + Row(kEl, "A Corp", "1 Road, Atlantis", "2020-05-22"));
  ASSERT_TRUE(r.import);
  ASSERT_EQ(r.sink.diagnostics.size(), 1u);
  EXPECT_EQ(r.sink.diagnostics[0].severity, Severity::kWarning);
  EXPECT_EQ(r.sink.diagnostics[0].message,
            "`Atlantis` is not an ISO 3166-1 country code or name; entry `A Corp` keeps its "
            "other countries");
  EXPECT_EQ(r.Points(0), "2: Atlantis");
  EXPECT_TRUE(r.import->entries[0].countries.empty());
}

TEST(CslTest, ABadDateNamesTheCellAndNothingIsImported) {
  Imported r(std::string(kHeader) + Row(kEl, "A Corp", "CN", "2019-10-09") +
             Row(kEl, "B Corp", "CN", "2019-13-45"));
  EXPECT_FALSE(r.import);
  ASSERT_EQ(r.sink.diagnostics.size(), 1u);
  EXPECT_EQ(r.sink.diagnostics[0].kind, DiagnosticKind::BadScreeningList);
  EXPECT_EQ(r.sink.diagnostics[0].message, "`2019-13-45` is not a date (entry `B Corp`)");
  EXPECT_EQ(r.Points(0), "3: 2019-13-45");
}

TEST(CslTest, AKeptEntryWithoutANameIsAnError) {
  Imported r(std::string(kHeader) + Row(kEl, "", "CN", "2019-10-09"));
  EXPECT_FALSE(r.import);
  ASSERT_EQ(r.sink.diagnostics.size(), 1u);
  EXPECT_EQ(r.sink.diagnostics[0].message, "an entry of the EL has no name");
}

// The Unverified List gives no dates: one warning per list, and the entries are kept undated.
TEST(CslTest, UndatedEntriesAreKeptWithOneWarningPerList) {
  Imported r(std::string(kHeader) + Row(kUvl, "A Corp", "CN", "") + Row(kUvl, "B Corp", "CN", "") +
             Row(kEl, "C Corp", "CN", ""));
  ASSERT_TRUE(r.import);
  ASSERT_EQ(r.sink.diagnostics.size(), 2u);
  EXPECT_EQ(r.sink.diagnostics[0].severity, Severity::kWarning);
  EXPECT_EQ(r.sink.diagnostics[0].message,
            "entry `A Corp` of the UVL has no start date, and may not be the only one: such "
            "entries count as listed on every date");
  EXPECT_EQ(r.import->undated[static_cast<size_t>(CslList::kUnverifiedList)], 2u);
  EXPECT_EQ(r.import->undated[static_cast<size_t>(CslList::kEntityList)], 1u);
  EXPECT_FALSE(r.import->entries[0].start_date);
  // Merged with a dated entry of the same name, the party stays undated.
  Imported merged(std::string(kHeader) + Row(kEl, "C Corp", "CN", "2020-01-01") +
                  Row(kEl, "C Corp.", "CN", ""));
  ASSERT_TRUE(merged.import);
  EXPECT_EQ(WriteCslTable(*merged.import, CslList::kEntityList),
            "name,aliases,country,countries,list,license_requirement,license_policy,"
            "federal_register_citation,date_added\n"
            "C Corp,C Corp.,CN,CN,entity_list,For all items subject to the EAR.,Presumption of "
            "denial.,84 FR 54002,\n");
}

TEST(CslTest, AMissingColumnIsRefusedAtTheHeader) {
  std::string header(kHeader);
  header.replace(header.find(",source,"), 8, ",");
  Imported r(header + "1,,Entity,,A,,CN,84 FR 1,2019-10-09,,,x,y,,,,,,,,,,,,,,,\n");
  EXPECT_FALSE(r.import);
  ASSERT_FALSE(r.sink.diagnostics.empty());
  EXPECT_EQ(r.sink.diagnostics[0].message,
            "the header has no column `source`, which an import needs");
  EXPECT_EQ(r.At(0), "1:1");
}

TEST(CslTest, UnknownColumnsAndSourcesAreReportedNotGuessed) {
  std::string header(kHeader);
  header.insert(header.size() - 1, ",risk_score");
  std::string row = Row("Made-up List (XYZ) - Nowhere", "C Corp", "CN", "2019-10-09");
  row.insert(row.size() - 1, ",7");
  std::string el = Row(kEl, "A Corp", "CN", "2019-10-09");
  el.insert(el.size() - 1, ",");
  Imported r(header + el + row + row);
  ASSERT_TRUE(r.import);
  ASSERT_EQ(r.sink.diagnostics.size(), 2u);
  EXPECT_EQ(r.sink.diagnostics[0].message,
            "column `risk_score` is not a column of the Consolidated Screening List; it is not "
            "read");
  EXPECT_EQ(r.sink.diagnostics[1].message,
            "source `Made-up List (XYZ) - Nowhere` is not one of the Consolidated Screening "
            "List's lists; its entries are not imported");
  EXPECT_EQ(r.Points(1), "3: \"Made-up List (XYZ) - Nowhere\"");
  ASSERT_EQ(r.import->sources.size(), 2u);
  EXPECT_TRUE(r.import->sources[1].unknown);
  EXPECT_EQ(r.import->sources[1].rows, 2u);
  EXPECT_EQ(r.import->entries.size(), 1u);
}

TEST(CslTest, ReadsTheJsonLayout) {
  Imported r(R"({"total": 2, "sources_used": [], "results": [
    {"id": "x1", "source": "Entity List (EL) - Bureau of Industry and Security",
     "name": "Sense Time", "alt_names": ["SenseTime", "Shang Tang"],
     "addresses": [{"address": "1 Road", "city": "Hong Kong", "state": null,
                    "postal_code": null, "country": "HK"},
                   {"address": null, "city": "Shanghai", "country": "CN"}],
     "start_date": "2019-10-09", "federal_register_notice": "84 FR 54002",
     "license_requirement": "For all items subject to the EAR.",
     "license_policy": "Presumption of denial.", "programs": [], "ids": null},
    {"source": "Specially Designated Nationals (SDN) - Treasury Department", "name": "X"}
  ]})",
             "csl.json");
  ASSERT_TRUE(r.import) << RenderToString(r.sink.diagnostics.at(0));
  EXPECT_TRUE(r.sink.diagnostics.empty());
  ASSERT_EQ(r.import->entries.size(), 1u);
  const CslEntry& e = r.import->entries[0];
  EXPECT_EQ(e.name, "Sense Time");
  EXPECT_EQ(e.alt_names, (std::vector<std::string>{"SenseTime", "Shang Tang"}));
  EXPECT_EQ(e.countries, (std::vector<std::string>{"HK", "CN"}));
  EXPECT_EQ(e.license_policy, "Presumption of denial.");
  EXPECT_EQ(e.line, 2u);
  EXPECT_EQ(r.import->rows, 2u);
}

TEST(CslTest, JsonErrorsArePlaced) {
  Imported bad_date(R"({"results": [
  {"source": "Entity List (EL) - Bureau of Industry and Security", "name": "A",
   "start_date": "2019-02-30"}]})",
                    "csl.json");
  EXPECT_FALSE(bad_date.import);
  ASSERT_EQ(bad_date.sink.diagnostics.size(), 1u);
  EXPECT_EQ(bad_date.sink.diagnostics[0].message, "`2019-02-30` is not a date (entry `A`)");
  EXPECT_EQ(bad_date.Points(0), "3: \"2019-02-30\"");

  Imported cut(R"({"results": [{"source": "Entity List (EL) - Bureau of Industry and Security",
   "name": "A", "start_date": )",
               "csl.json");
  EXPECT_FALSE(cut.import);
  ASSERT_FALSE(cut.sink.diagnostics.empty());
  EXPECT_TRUE(cut.sink.diagnostics[0].message.starts_with("the JSON is not valid here"))
      << cut.sink.diagnostics[0].message;

  Imported no_results(R"({"total": 0})", "csl.json");
  EXPECT_FALSE(no_results.import);
  EXPECT_EQ(no_results.sink.diagnostics.at(0).message, "the JSON has no array `results`");

  Imported unknown(R"([{"source": "Entity List (EL) - Bureau of Industry and Security",
    "name": "A", "start_date": "2020-01-01", "risk": 3,
    "addresses": [{"country": "CN", "geo": [1, 2]}]}])",
                   "csl.json");
  ASSERT_TRUE(unknown.import);
  ASSERT_EQ(unknown.sink.diagnostics.size(), 2u);
  EXPECT_EQ(unknown.sink.diagnostics[0].message,
            "field `risk` is not a field of the Consolidated Screening List; it is not read");
  EXPECT_EQ(unknown.Points(0), "2: 3");
  EXPECT_EQ(unknown.sink.diagnostics[1].message,
            "address field `geo` is not a field of the Consolidated Screening List; it is not "
            "read");
}

TEST(CslTest, AnEmptyFileIsAnError) {
  Imported r("  \n");
  EXPECT_FALSE(r.import);
  EXPECT_EQ(r.sink.diagnostics.at(0).message, "the file is empty");
}

TEST(CslTest, WritesOneTableRowPerPartyMergingSpellings) {
  Imported r(std::string(kHeader) +
             Row(kEl, "Huawei Technologies Co., Ltd.", "Shenzhen, , , CN", "2019-05-16",
                 "Huawei; Huawei Technologies") +
             Row(kEl, "HUAWEI TECHNOLOGIES CO LTD", "Kowloon, , , HK", "2019-05-21", "Huawei",
                 "Presumption of denial; see 744.11(a)(2).") +
             Row(kEl, "Quote \"\"Co\"\", Ltd.", "CN", "2020-01-01", "A;B") +
             Row(kUvl, "Huawei Technologies Co., Ltd.", "CN", "2022-10-07"));
  ASSERT_TRUE(r.import) << RenderToString(r.sink.diagnostics.at(0));
  size_t parties = 0;
  std::string table = WriteCslTable(*r.import, CslList::kEntityList, &parties);
  EXPECT_EQ(parties, 2u);
  EXPECT_EQ(table,
            "name,aliases,country,countries,list,license_requirement,license_policy,"
            "federal_register_citation,date_added\n"
            "\"Huawei Technologies Co., Ltd.\",Huawei;Huawei Technologies;HUAWEI TECHNOLOGIES "
            "CO LTD,CN,CN;HK,entity_list,For all items subject to the EAR.,Presumption of "
            "denial. | Presumption of denial; see 744.11(a)(2).,84 FR 54002,2019-05-16\n"
            "\"Quote \"\"Co\"\", Ltd.\",A;B,CN,CN,entity_list,For all items subject to the "
            "EAR.,Presumption of denial.,84 FR 54002,2020-01-01\n");
  EXPECT_EQ(WriteCslTable(*r.import, CslList::kMilitaryEndUser),
            "name,aliases,country,countries,list,license_requirement,license_policy,"
            "federal_register_citation,date_added\n");
}

}  // namespace
}  // namespace cordon::tables
