// Console key events to the bytes a terminal sends (console_keys.h).
#include <gtest/gtest.h>

#include "sandbox/windows/console_keys.h"

namespace cordon::sandbox::windows {
namespace {

KeyPress Char(char16_t c) {
  KeyPress k;
  k.down = true;
  k.unit = c;
  return k;
}

KeyPress Vk(uint16_t vk) {
  KeyPress k;
  k.down = true;
  k.virtual_key = vk;
  return k;
}

TEST(WindowsConsoleKeys, CharactersAreUtf8) {
  KeyEncoder e;
  EXPECT_EQ(e.Encode(Char(u'a')), "a");
  EXPECT_EQ(e.Encode(Char(u'\r')), "\r");
  EXPECT_EQ(e.Encode(Char(3)), "\x03");  // Ctrl-C: the pseudo console signals it
  EXPECT_EQ(e.Encode(Char(u'\u00e9')), "\xc3\xa9");
  EXPECT_EQ(e.Encode(Char(u'\u20ac')), "\xe2\x82\xac");
  KeyPress up = Char(u'a');
  up.down = false;
  EXPECT_EQ(e.Encode(up), "");
  KeyPress repeated = Char(u'x');
  repeated.repeat = 3;
  EXPECT_EQ(e.Encode(repeated), "xxx");
}

TEST(WindowsConsoleKeys, SurrogatePairsJoin) {
  KeyEncoder e;
  EXPECT_EQ(e.Encode(Char(0xd83d)), "");
  EXPECT_EQ(e.Encode(Char(0xde00)), "\xf0\x9f\x98\x80");  // U+1F600
  EXPECT_EQ(e.Encode(Char(0xde00)), "");                  // a lone low half
}

TEST(WindowsConsoleKeys, AltPrefixesEscapeButAltGrDoesNot) {
  KeyEncoder e;
  KeyPress alt = Char(u'b');
  alt.alt = true;
  EXPECT_EQ(e.Encode(alt),
            "\x1b"
            "b");
  KeyPress altgr = Char(u'@');
  altgr.alt = true;
  altgr.ctrl = true;
  EXPECT_EQ(e.Encode(altgr), "@");
}

TEST(WindowsConsoleKeys, SpecialKeysFollowXterm) {
  KeyEncoder e;
  EXPECT_EQ(e.Encode(Vk(0x26)), "\x1b[A");
  EXPECT_EQ(e.Encode(Vk(0x25)), "\x1b[D");
  EXPECT_EQ(e.Encode(Vk(0x24)), "\x1b[H");
  EXPECT_EQ(e.Encode(Vk(0x2e)), "\x1b[3~");
  EXPECT_EQ(e.Encode(Vk(0x70)), "\x1bOP");
  EXPECT_EQ(e.Encode(Vk(0x74)), "\x1b[15~");
  EXPECT_EQ(e.Encode(Vk(0x7b)), "\x1b[24~");
  KeyPress ctrl_right = Vk(0x27);
  ctrl_right.ctrl = true;
  EXPECT_EQ(e.Encode(ctrl_right), "\x1b[1;5C");
  KeyPress shift_f1 = Vk(0x70);
  shift_f1.shift = true;
  EXPECT_EQ(e.Encode(shift_f1), "\x1b[1;2P");
  EXPECT_EQ(e.Encode(Vk(0x10)), "");  // Shift alone
}

}  // namespace
}  // namespace cordon::sandbox::windows
