from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.applications.reference import ALPHABET, new_reference, normalise


def test_a_reference_looks_like_the_design():
    reference = new_reference("BR")
    assert len(reference) == len("BR-7KQ4-M9XD") and reference.startswith("BR-") and reference[7] == "-"
    assert not set(reference.replace("-", "")[2:]) - set(ALPHABET)


def test_typed_loosely_it_is_recognised():
    reference = new_reference("RC")
    assert normalise(reference.lower().replace("-", " ")) == reference


@given(st.integers(min_value=3, max_value=10), st.sampled_from(ALPHABET))
def test_a_single_wrong_character_is_caught(position, wrong):
    reference = new_reference("VR")
    chars = list(reference)
    if chars[position] == "-" or chars[position] == wrong:
        return
    chars[position] = wrong
    assert normalise("".join(chars)) is None


def test_two_swapped_neighbours_are_caught_almost_always():
    # Luhn mod N misses a few transpositions by design; over every pair of distinct characters it
    # catches nearly all of them. Deterministic: every pair, in one fixed reference body.
    from portal.domain.applications.reference import check_character

    pairs = caught = 0
    for a in ALPHABET:
        for b in ALPHABET:
            if a == b:
                continue
            body = "7K" + a + b + "M9X"
            code = body + check_character(body)
            swapped = "7K" + b + a + "M9X" + code[-1]
            pairs += 1
            caught += normalise("TF" + swapped) is None
    assert caught / pairs >= 0.9
