// SPDX-License-Identifier: Apache-2.0
// The EAR stdlib policy (stdlib/ear/*.cordon) written by hand in C++, as a careful engineer
// would write it without Cordon: a plain request struct (enums, countries as small integers,
// dates as day numbers, quantities as exact integers in thousandths), country groups as bit
// sets, hash maps of normalised names for the screening lists, and every threshold, date and
// group member written out from the rule files. It is the baseline of bench/ear_bench.cpp,
// which checks it against the reference interpreter on every request it times.
//
// It reports what an engine reports: the outcome, the rules that fired and, for each, which
// `unless` (if any) replaced its `then`. Rule ids are the program's own (RuleIds, resolved by
// name once), so its answer compares with an interp::Decision rule for rule.
#ifndef CORDON_BENCH_EAR_HANDWRITTEN_H_
#define CORDON_BENCH_EAR_HANDWRITTEN_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cordon::ear_bench {

// ---------------------------------------------------------------------------------------------
// Dates and countries

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
constexpr auto Day(int y, unsigned m, unsigned d) -> int32_t {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}
// "2024-06-01" from a day number, and back (nullopt for anything else).
auto FormatDay(int32_t day) -> std::string;
auto ParseDay(std::string_view text) -> std::optional<int32_t>;

// A country as (first letter - 'A') * 26 + (second letter - 'A'): 0..675.
using Country = uint16_t;
inline constexpr Country kNoCountry = 0xffff;
constexpr auto CC(const char (&code)[3]) -> Country {
  return static_cast<Country>((code[0] - 'A') * 26 + (code[1] - 'A'));
}
// "CN" -> CC("CN"); kNoCountry unless two upper-case letters.
auto ParseCountry(std::string_view code) -> Country;

// ---------------------------------------------------------------------------------------------
// The request (stdlib/ear/base.cordon, `input Request`)

enum class Kind : uint8_t { kExport, kReexport, kTransferInCountry, kIaasAccess };
enum class EndUse : uint8_t {
  kNone,
  kSupercomputer,
  kAdvancedNodeIcProduction,
  kTrainLargeAiModel,
  kInference
};
// In the order of the policy's lattice, highest first: the same numbers as its OutcomeIds
// (the bench checks that once).
enum class Outcome : uint8_t {
  kProhibited,
  kLicenseRequired,
  kReport,
  kLicenseExceptionNac,
  kNoLicenseRequired
};

// Quantities are exact integers in thousandths of their unit: the law's thresholds (5.92 TPP
// per mm², 600 GB/s) are decimals and its density is a ratio, so binary floating point could put
// a part on the wrong side of a bound; 4736 TPP over 800 mm² must be exactly 5.92.
inline constexpr int64_t kMilli = 1000;

// An owner of the end user, and its owners in turn (ear.base `Owner`): the Affiliates Rule.
struct HandOwner {
  std::string_view name;
  int64_t share_milli = 0;  // percent, in thousandths
  std::vector<HandOwner> owners;
};

struct EarRequest {
  int32_t as_of = 0;  // day number
  Kind kind = Kind::kExport;
  EndUse end_use = EndUse::kNone;
  bool designed_for_datacenter = false;
  bool has_die_area = false;
  bool has_io = false;
  bool has_rental_hours = false;
  Country destination = kNoCountry;
  Country end_user_country = kNoCountry;
  Country end_user_hq = kNoCountry;
  Country end_user_parent_hq = kNoCountry;  // kNoCountry: no ultimate parent
  int64_t tpp_milli = 0;
  int64_t die_area_milli = 0;      // mm², when has_die_area
  int64_t io_milli = 0;            // GB/s, when has_io
  int64_t rental_hours_milli = 0;  // hours, when has_rental_hours
  int64_t chips = 0;
  std::string_view item_name;
  std::string_view end_user_name;
  bool has_owners = false;  // false: the request does not say who owns the end user
  std::vector<HandOwner> owners;
};

// ---------------------------------------------------------------------------------------------
// Rules and decisions

// The program's id of each rule the baseline implements, found by name.
struct RuleIds {
  // ear.validity (its impossible figures are `require`s: HandDecision::broken)
  uint8_t before_coverage;
  // ear.embargoes
  uint8_t comprehensive_embargo, russia_sanctions, belarus_sanctions, syria_relaxed_controls;
  // ear.end_users
  uint8_t entity_list_party, unverified_list_party, affiliates_owned, affiliates_owned_resumed,
      affiliates_ownership_unknown, affiliates_ownership_unknown_resumed, military_end_user_party,
      entity_list_near_miss, unverified_list_near_miss, military_end_user_near_miss;
  // ear.guidance
  uint8_t is_informed_letter, gp10_huawei_ascend;
  // ear.advanced_computing
  uint8_t ac_destination_2022, ac_destination_2023, ac_destination_2023_aca, ac_headquarters,
      ai_diffusion_not_applied, ac_uae_2026;
  // ear.end_use
  uint8_t supercomputer_end_use_2022, supercomputer_end_use_2023, advanced_node_end_use_2022,
      advanced_node_end_use_2023;
  // ear.remote_access
  uint8_t iaas_not_an_export, iaas_ai_training_caution;

  // The rule names, in the order of the fields above.
  static auto Names() -> std::vector<std::string_view>;
  // Fills every field from `lookup` (name -> program rule id). Names it cannot resolve, or ids
  // of 64 and over, go to `missing`.
  static auto Resolve(const std::function<std::optional<uint32_t>(std::string_view)>& lookup,
                      std::vector<std::string>& missing) -> RuleIds;
};

inline constexpr uint8_t kThen = 0xff;  // a rule's own `then`, not an `unless`
inline constexpr size_t kMaxRules = 64;

// The `require`s of ear.validity, in the order the policy declares them.
enum Requirement : uint8_t {
  kTppNotNegative,
  kDieAreaPositive,
  kTransferRateNotNegative,
  kChipsAtLeastOne,
  kRentalGivesHours,
  kRentalHoursPositive,
  kOwnershipValid,
  kRequirementCount
};

struct HandDecision {
  Outcome outcome = Outcome::kNoLicenseRequired;  // meaningful when `broken` is 0
  uint8_t broken = 0;  // bit k: the request breaks Requirement k (the decision is `error`)
  // Dated more than the grace period after the policy's review date: `error`, with the reasons of
  // the review date (ear.policy: `reviewed last_review grace days(30)`).
  bool past_review = false;
  uint64_t fired = 0;  // bit r: program rule r fired
  // For a fired rule r: the index of the `unless` that replaced its `then`, or kThen. Entries of
  // rules that did not fire are stale: nothing clears them, nothing reads them.
  std::array<uint8_t, kMaxRules> unless{};
};

// ---------------------------------------------------------------------------------------------
// The policy

// A CSV file as rows of fields (RFC 4180: quoted fields, "" for a quote, \n or \r\n); the
// header is row 0. Empty lines are skipped.
auto ParseCsv(std::string_view text) -> std::vector<std::vector<std::string>>;
// "a; b;;c" -> {"a", "b", "c"}: the `set<text>` cells of the tables (`;`-separated, trimmed).
auto SplitAliases(std::string_view cell) -> std::vector<std::string>;

class HandPolicy {
 public:
  // The five tables as CSV text, in the columns of stdlib/ear/entities.csv,
  // unverified_list.csv, military_end_user_list.csv, is_informed.csv and gp10_items.csv. Aborts
  // on a malformed file: the bench builds them itself.
  HandPolicy(const RuleIds& ids, std::string_view entities_csv, std::string_view unverified_csv,
             std::string_view meu_csv, std::string_view is_informed_csv, std::string_view gp10_csv);

  // Not thread-safe (it normalises names into one scratch string): one policy per thread.
  void Decide(const EarRequest& r, HandDecision& out) const;

 private:
  struct Listing {
    bool entity_list;   // list == entity_list (not dod_1260h, not ofac_ns_cmic)
    bool case_by_case;  // an SMIC entry, reviewed case-by-case
    int32_t date_added;
  };
  // Heterogeneous lookup, so a normalised std::string_view finds a std::string key.
  struct Hash {
    using is_transparent = void;
    auto operator()(std::string_view v) const -> size_t { return std::hash<std::string_view>{}(v); }
  };
  template <typename V>
  using NameMap = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  // `near(table, name)` by hand: the first row with a key one edit from a name (a code point
  // added, dropped or replaced, or two neighbours swapped), keys of five code points or more.
  // Each key is filed under its first half and under its end past the middle character; one
  // edit leaves one of them whole.
  class NearIndex {
   public:
    void Add(std::string_view key, uint32_t row);
    // The first row one edit from `key` (which no row has exactly), or -1.
    auto Find(std::string_view key) const -> int64_t;

   private:
    NameMap<std::vector<uint32_t>> parts_;  // part -> indices into keys_
    std::vector<std::pair<std::u32string, uint32_t>> keys_;
    mutable std::string part_;
    mutable std::u32string query_;
  };

  // The Affiliates Rule (ear.end_users): on the Entity List on `day`, or 50 % or more owned by
  // restricted owners; and restricted under a presumption of denial.
  auto Listed(std::string_view name, int32_t day, bool* case_by_case) const -> bool;
  auto Restricted(const HandOwner& o, int32_t day) const -> bool;
  auto Denial(const HandOwner& o, int32_t day) const -> bool;
  // ear.validity's ownership `require`: named owners, shares of 0 to 100 % adding up to at most
  // 100 % in each party.
  static auto OwnersValid(const std::vector<HandOwner>& owners) -> bool;

  RuleIds ids_;
  // Normalised name or alias -> row; the first row wins when two share a key, as in the
  // engines' index (the Entity List rows of entities.csv come first for that reason).
  NameMap<uint32_t> entity_index_;
  std::vector<Listing> entities_;
  NameMap<int32_t> unverified_;                        // -> date_added
  NameMap<int32_t> meu_;                               // the Military End-User List -> date_added
  NearIndex entity_near_;                              // -> index into entities_
  NearIndex unverified_near_;                          // -> index into unverified_dates_
  NearIndex meu_near_;                                 // -> index into meu_dates_
  std::vector<int32_t> unverified_dates_, meu_dates_;  // by row
  NameMap<int32_t> is_informed_;  // normalised item name -> day the letter was received
  NameMap<int32_t> gp10_;         // normalised item name -> day of the guidance
  // Normalised names; reusing their capacity keeps a decision free of allocations.
  mutable std::string item_scratch_;
  mutable std::string party_scratch_;
  mutable std::string owner_scratch_;  // owners' names (Listed)
};

}  // namespace cordon::ear_bench

#endif  // CORDON_BENCH_EAR_HANDWRITTEN_H_
