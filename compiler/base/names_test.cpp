// SPDX-License-Identifier: Apache-2.0
#include "compiler/base/names.h"

#include <gtest/gtest.h>

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
