"""The password policy for new passwords, and hashing with Argon2."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.fields import password as policy
from portal.domain.identity.passwords import hash_password, is_common, verify_password


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", [
        "ស្រូវ-rice-field",
        "ខ្ញុំចូលចិត្តបាយ",  # Khmer only, 16 code points
        "blue kettle morning",
        "🙂🙂 sunny river 🙂",
        "x7#Lq9!z",  # exactly 8
        ("river-ស្រូវ-" * 12)[:128],  # exactly 128
    ])
    def test_long_enough_uncommon_passwords_are_accepted_in_any_script(self, password):
        assert policy.policy_problem(password) is None

    @pytest.mark.parametrize(("password", "problem"), [
        ("", policy.ENTER_PASSWORD),
        (None, policy.ENTER_PASSWORD),
        ("x7#Lq9!", policy.TOO_SHORT),
        ("ស្រូវ", policy.TOO_SHORT),  # five code points
        ("🙂", policy.TOO_SHORT),
        (("river-ស្រូវ-" * 12)[:129], policy.TOO_LONG),
        ("password1", policy.TOO_COMMON),
        ("12345678", policy.TOO_COMMON),
        ("Qwertyuiop", policy.TOO_COMMON),
        ("aaaaaaaaaa", policy.TOO_COMMON),
        ("abababababab", policy.TOO_COMMON),
    ])
    def test_a_password_that_breaks_the_policy_gets_the_message_that_says_why(self, password, problem):
        assert policy.policy_problem(password) is problem

    def test_length_is_counted_in_code_points_after_composing_the_text(self):
        decomposed = unicodedata.normalize("NFD", "éèêëēėę")  # 14 code points typed, 7 once composed
        assert len(decomposed) == 14
        assert policy.policy_problem(decomposed) is policy.TOO_SHORT


class TestHashing:
    def test_the_right_password_verifies_and_a_wrong_one_does_not(self):
        stored = hash_password("ស្រូវ-rice-field")
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, "ស្រូវ-rice-field")
        assert not verify_password(stored, "ស្រូវ-rice-fielD")

    def test_an_unknown_account_never_verifies(self):
        assert not verify_password(None, "not a real password, only spends the same time")

    def test_khmer_typed_in_another_code_point_order_still_verifies(self):
        composed = "ការពារ-" + unicodedata.normalize("NFC", "é")
        stored = hash_password(composed)
        assert verify_password(stored, unicodedata.normalize("NFD", composed))

    def test_common_password_check_ignores_case(self):
        assert is_common("PASSWORD") and is_common("Password") and not is_common("ស្រូវ-rice-field")


class TestAnyPassword:
    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.none(), st.text(max_size=200)))
    def test_any_text_is_either_accepted_or_gets_one_of_the_policy_messages(self, password):
        problem = policy.policy_problem(password)
        assert problem is None or any(problem is known for known in (
            policy.ENTER_PASSWORD, policy.TOO_SHORT, policy.TOO_LONG, policy.TOO_COMMON))
