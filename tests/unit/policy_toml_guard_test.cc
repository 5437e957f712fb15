// The pre-parse screen that keeps toml++ 3.3.0's undefined behaviour away
// from hostile config files.
#include <gtest/gtest.h>

#include "policy/config_file.h"
#include "policy/toml_guard.h"

namespace cordon::policy {
namespace {

TEST(ScreenToml, AllowsNonAsciiInStringsAndComments) {
  for (const char* text : {
           "read = [\"~/Проекты\"]  # ça va\n",
           "read = ['~/é']\n",
           "x = '''\né\n'''\n",
           "x = \"\"\"\né \\n\"\"\"\n",
           "\"ключ\" = 1\n",
           "\xEF\xBB\xBFmode = \"off\"\n",
           "x = \"\"\"a\"\"\"\"\"\ny = 'é'\n",
           "a.\"é\".'ü' = { \"ß\" = [\"ö\", 'ä'] }\n",
           "[\"é\".x]\n[[ 'ü' ]]\n",
           "a = [\n  \"é\", # ü\n  'ö',\n]\n",
           "d = 1979-05-27 07:32:00\ns = \"é\"\n",
       }) {
    EXPECT_FALSE(ScreenToml(text).has_value()) << text;
  }
}

TEST(ScreenToml, RefusesNonAsciiElsewhere) {
  for (const char* text : {
           "\xc2\xa7 = 1\n",                  // U+00A7 as a bare key
           "a = 1\xcc\xaa\n",                 // after a value
           "[a\xc3\xa9]\n",                   // inside a header
           "s = \"\"\"\\\n\xc2\xa7\"\"\"\n",  // upstream #190
           "s = \"\"\"\\\xc3\xa9\"\"\"\n",
           "x = \"a\" \xe3\x80\x81\n",
           "x = 'a'\n\xd0\x9f = 1\n",
           "m = [1[\"ab\xef\xb3\xbf\x01\t",  // a quote inside a bare token is no string
           "a.\"#\" = 1\xc3\xa9\n",          // '#' in a quoted key is no comment
           "a = 1\"\xc3\xa9\"\n",
       }) {
    auto e = ScreenToml(text);
    ASSERT_TRUE(e.has_value()) << text;
    EXPECT_GT(e->line, 0);
    EXPECT_GT(e->column, 0);
  }
  auto e = ScreenToml("mode = \"off\"\n  \xc3\xa9");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->line, 2);
  EXPECT_EQ(e->column, 3);
}

TEST(ScreenToml, RefusesHeadersThatBreakParseKey) {
  for (const char* text : {"[[[1]]]", "[[[a]]", "[[[]]", "[[=", "[=", "[\n", "[\r\n", "[ {"}) {
    EXPECT_TRUE(ScreenToml(text).has_value()) << text;
  }
  for (const char* text : {"[a]", "[ a ]", "[[a]]", "[\"a\"]", "['a']", "[", "[[", "[]"}) {
    EXPECT_FALSE(ScreenToml(text).has_value()) << text;
  }
}

TEST(ScreenToml, RefusesCloseBraceWhereAnArrayExpectsAValue) {
  for (const char* text : {"e1 = [[[}", "a = [ # c\n }", "a = [1, }", "a = [\n\n}"}) {
    EXPECT_TRUE(ScreenToml(text).has_value()) << text;
  }
  for (const char* text :
       {"x = {}", "x = { a = [], b = {} }", "a = [\"}\", '}']", "a = [1] # [}"}) {
    EXPECT_FALSE(ScreenToml(text).has_value()) << text;
  }
}

TEST(ScreenToml, RefusesDateThenLoneDigit) {
  for (const char* text :
       {"e=[0001-01-91 5 = [[::[:", "d = 2024-01-01 5\n", "d = [2024-01-01 5]",
        "d = 2_024-01-01 5,", "e=[000q-09-11 0 [\"~w\"ad-09-11 0 [\"~wri=/\"0]"}) {
    EXPECT_TRUE(ScreenToml(text).has_value()) << text;
  }
  for (const char* text : {"d = 2024-01-01 05:06:07\n", "d = 2024-01-01\n", "d = 2024-01-01 5",
                           "s = \"2024-01-01 5 apples\"\n"}) {
    EXPECT_FALSE(ScreenToml(text).has_value()) << text;
  }
}

TEST(ScreenToml, ParseConfigUsesIt) {
  auto r = ParseConfig("mode = \"off\"\n\xc2\xa7 = 1\n", "/c.toml", ConfigKind::kProject);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().Describe().find("/c.toml:2:1"), std::string::npos) << r.error().Describe();
  auto ok = ParseConfig("[filesystem]\nread = [\"~/Проекты\"]\n", "/c.toml", ConfigKind::kUser);
  ASSERT_TRUE(ok.ok()) << ok.error().Describe();
  EXPECT_EQ(ok.value().read[0].value, "~/Проекты");
}

}  // namespace
}  // namespace cordon::policy
