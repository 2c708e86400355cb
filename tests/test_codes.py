"""Unified social credit code checks (GB 32100-2015)."""

from __future__ import annotations

import random

import pytest

from lianzhang.codes import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    credit_code_error,
    make_credit_code,
    normalise_credit_code,
)

VALID = "91440300708461136T"


def _random_body(rng: random.Random) -> str:
    """A 17-character body shaped like a real one: registration digits 3-8 are an area code."""
    head = rng.choice("123456789ABCDEFGNY") + rng.choice("1239")
    area = "".join(rng.choice("0123456789") for _ in range(6))
    rest = "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return head + area + rest


def test_known_real_code_is_valid():
    assert credit_code_error(VALID) is None
    assert credit_code_check_char(VALID[:17]) == "T"


@pytest.mark.parametrize("position", range(18))
def test_every_single_character_change_is_detected(position):
    for replacement in CREDIT_CODE_ALPHABET:
        if replacement == VALID[position]:
            continue
        changed = VALID[:position] + replacement + VALID[position + 1 :]
        assert credit_code_error(changed) is not None, changed


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_outside_the_alphabet_are_illegal(letter):
    code = VALID[:10] + letter + VALID[11:]
    error = credit_code_error(code)
    assert error is not None
    assert "非法字符" in error


def test_lower_case_is_rejected_until_normalised():
    assert credit_code_error(VALID.lower()) is not None
    assert normalise_credit_code(" 9144 0300 7084 6113 6t ") == VALID


@pytest.mark.parametrize("code", ["", VALID[:17], VALID + "0", VALID[:-1] + "TT"])
def test_wrong_length_is_reported_with_the_actual_length(code):
    error = credit_code_error(code)
    assert error is not None
    assert str(len(code)) in error


def test_area_part_must_be_digits():
    body = "91" + "44A300" + VALID[8:17]
    assert "行政区划" in (credit_code_error(make_credit_code(body)) or "")


def test_check_char_refuses_bad_bodies():
    with pytest.raises(ValueError):
        credit_code_check_char("123")
    with pytest.raises(ValueError):
        credit_code_check_char("9144030070846113I")


def test_generated_codes_are_valid_and_every_corruption_is_caught():
    rng = random.Random(20240501)
    for _ in range(500):
        code = make_credit_code(_random_body(rng))
        assert credit_code_error(code) is None, code
        # Any single substitution changes the weighted sum modulo the prime 31.
        position = rng.randrange(18)
        replacement = rng.choice(CREDIT_CODE_ALPHABET.replace(code[position], ""))
        corrupted = code[:position] + replacement + code[position + 1 :]
        assert credit_code_error(corrupted) is not None, corrupted
        # Adjacent transpositions inside the body are caught too (weights of neighbours differ).
        i = rng.randrange(16)
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert credit_code_error(swapped) is not None, swapped
