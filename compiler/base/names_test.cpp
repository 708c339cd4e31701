// SPDX-License-Identifier: Apache-2.0
#include "compiler/base/names.h"

#include <gtest/gtest.h>

#include <string>

namespace cordon {
namespace {

TEST(NamesTest, CaseSpacingPunctuationAndLegalForms) {
  EXPECT_EQ(NormalizeName("IFLYTEK Co., Ltd."), "iflytek");
  EXPECT_EQ(NormalizeName("  iFlytek   co ltd "), "iflytek");
  EXPECT_EQ(NormalizeName("Keda-Xunfei"), "keda xunfei");
  EXPECT_EQ(NormalizeName("Face++"), "face");
  EXPECT_EQ(NormalizeName("Semiconductor Manufacturing International Corporation"),
            "semiconductor manufacturing international");
  EXPECT_EQ(NormalizeName("Beijing Sensetime Technology Development Co., Ltd"),
            "beijing sensetime technology development");
}

TEST(NamesTest, KeepsTheLastWordAndInnerLegalWords) {
  EXPECT_EQ(NormalizeName("Limited"), "limited");
  EXPECT_EQ(NormalizeName("Co. Ltd."), "co");
  // Only trailing words are legal forms: "Inc Research Labs" keeps its first word.
  EXPECT_EQ(NormalizeName("Inc Research Labs"), "inc research labs");
  EXPECT_EQ(NormalizeName(""), "");
  EXPECT_EQ(NormalizeName("..."), "");
}

TEST(NamesTest, EveryLegalFormIsDroppedAndNoOtherWord) {
  for (const char* form :
       {"co",  "company", "corp", "corporation", "inc",  "incorporated", "ltd",  "limited",
        "llc", "plc",     "lp",   "llp",         "gmbh", "ag",           "sa",   "nv",
        "bv",  "pte",     "pty",  "srl",         "spa",  "jsc",          "ojsc", "pjsc",
        "oao", "zao",     "ooo",  "kk",          "sdn",  "bhd"}) {
    EXPECT_EQ(NormalizeName(std::string("Acme ") + form), "acme") << form;
  }
  for (const char* word : {"c", "cos", "companies", "corporations", "incorporate", "l", "ltdd"}) {
    EXPECT_EQ(NormalizeName(std::string("Acme ") + word), std::string("acme ") + word) << word;
  }
}

TEST(NamesTest, ReusedOutputHoldsOnlyTheNewName) {
  std::string out;
  EXPECT_EQ(NormalizeName("Beijing Sensetime Technology Development Co., Ltd", out),
            "beijing sensetime technology development");
  EXPECT_EQ(NormalizeName("SMIC", out), "smic");
  EXPECT_EQ(out, "smic");
  EXPECT_EQ(NormalizeName("--", out), "");
  EXPECT_EQ(NormalizeName(std::string_view("a\0b", 3), out), "a b");
}

TEST(NamesTest, NearMissesStayDifferent) {
  EXPECT_NE(NormalizeName("iFlytec"), NormalizeName("iFlytek"));
  EXPECT_NE(NormalizeName("Huawei Cloud"), NormalizeName("Huawei"));
}

TEST(NamesTest, NonAsciiBytesAreKept) {
  EXPECT_EQ(NormalizeName("华为技术有限公司"), "华为技术有限公司");
  // Only ASCII letters are folded: "É" stays as it is, "COLE" becomes "cole".
  EXPECT_EQ(NormalizeName("ÉCOLE Polytechnique"), "École polytechnique");
}

}  // namespace
}  // namespace cordon
