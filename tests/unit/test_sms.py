"""How many SMS parts a text costs, and the development SMS driver."""

from __future__ import annotations

import pytest

from portal.domain.notify.sms import FileGateway, count_parts, is_gsm7

KHMER_LETTER = "ក"


class TestCountingParts:
    @pytest.mark.parametrize(("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3)])
    def test_khmer_is_sent_as_ucs2_with_70_characters_in_one_part_and_67_per_part_when_split(
            self, length, parts):
        assert count_parts(KHMER_LETTER * length) == parts

    def test_one_khmer_letter_in_latin_text_makes_the_whole_text_ucs2(self):
        text = "a" * 69 + KHMER_LETTER
        assert not is_gsm7(text)
        assert count_parts(text) == 1
        assert count_parts(text + "a") == 2

    def test_an_emoji_takes_two_ucs2_units(self):
        assert count_parts("🙂" * 35) == 1
        assert count_parts("🙂" * 35 + "a") == 2

    @pytest.mark.parametrize(("text", "parts"), [
        ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("€" * 80, 1), ("€" * 81, 2),
    ])
    def test_latin_text_uses_gsm_7_with_160_in_one_part_and_153_per_part(self, text, parts):
        assert is_gsm7(text)
        assert count_parts(text) == parts


class TestTheDevelopmentDriver:
    def test_each_message_becomes_a_file_with_its_recipient_and_parts(self, tmp_path):
        FileGateway(tmp_path / "sms").send("+85512345678", KHMER_LETTER * 71)
        [written] = (tmp_path / "sms").iterdir()
        content = written.read_text(encoding="utf-8")
        assert content.startswith("To: +85512345678\nEncoding: UCS-2\nParts: 2\n\n")
        assert content.endswith(KHMER_LETTER * 71 + "\n")
