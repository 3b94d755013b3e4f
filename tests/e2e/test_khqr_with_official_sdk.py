"""Our KHQR strings, checked by the official KHQR SDK (npm `bakong-khqr`, pinned in tests/e2e/node).

Many strings (individual and merchant accounts, riel and dollars, amounts from 1 to 10^12, printable-ASCII
names of every length, Khmer names in the language template) go to tests/e2e/node/khqr_check.js, which runs
the SDK's `verify` (CRC and field rules) and `decode` on each. The SDK must find every one valid and decode
it to the fields we encoded, compute the same MD5, and refuse each string with one character changed.
The SDK's own generator, given the same fields, must write the same string byte for byte.

Needs node and the SDK (`npm ci --prefix tests/e2e/node`): skipped without them, a failure when PORTAL_E2E=1.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from portal.payments import khqr
from portal.payments.khqr import Khqr, Payee
from tests.e2e.conftest import _unavailable

NODE_TOOLS = Path(__file__).parent / "node"
CHECKER = NODE_TOOLS / "khqr_check.js"
GENERATOR = NODE_TOOLS / "khqr_generate.js"
SDK_PACKAGE = NODE_TOOLS / "node_modules" / "bakong-khqr" / "package.json"

PRINTABLE_ASCII = [chr(c) for c in range(0x20, 0x7F)]
KHMER = [chr(c) for c in range(0x1780, 0x17DE)] + [chr(c) for c in range(0x17E0, 0x17EA)] + [" "]


@pytest.fixture(scope="module")
def official_sdk() -> str:
    """The node executable, once the pinned SDK is found installed."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed (needed for the official KHQR SDK)")
    if not SDK_PACKAGE.is_file():
        _unavailable(f"the official KHQR SDK is not installed (run: npm ci --prefix {NODE_TOOLS})")
    pinned = json.loads((NODE_TOOLS / "package.json").read_text())["dependencies"]["bakong-khqr"]
    installed = json.loads(SDK_PACKAGE.read_text())["version"]
    assert installed == pinned, f"bakong-khqr {installed} is installed but {pinned} is pinned: run npm ci"
    return node


def run_node(node: str, script: Path, items: list) -> list:
    result = subprocess.run([node, str(script)], input=json.dumps(items), capture_output=True, text=True,
                            cwd=NODE_TOOLS, timeout=120, check=True)
    return json.loads(result.stdout)


def sdk_check(node: str, strings: list[str]) -> list[dict]:
    return run_node(node, CHECKER, strings)


def sdk_generate(node: str, requests: list[Khqr]) -> list[dict]:
    """The SDK's own string for each request's fields (it stamps its own creation time)."""
    return run_node(node, GENERATOR, [{
        "bakongAccountID": r.payee.bakong_account_id, "merchantName": r.payee.merchant_name,
        "merchantCity": r.payee.merchant_city, "merchantID": r.payee.merchant_id,
        "acquiringBank": r.payee.acquiring_bank, "merchantNameKm": r.payee.merchant_name_km,
        "merchantCityKm": r.payee.merchant_city_km, "storeLabel": r.payee.store_label,
        "terminalLabel": r.payee.terminal_label, "merchantCategoryCode": r.payee.merchant_category_code,
        "currency": int(khqr.CURRENCY_NUMBERS[r.currency]), "amount": float(khqr.format_amount(r.amount, r.currency)),
        "billNumber": r.bill_number, "purpose": r.purpose, "expiresMs": r.expires_ms,
    } for r in requests])


def text(rng: random.Random, alphabet: list[str], longest: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, longest)))


def amounts(currency: str, rng: random.Random) -> list[int]:
    """The edges (each power of ten and one less, the largest KHQR can write) and random magnitudes."""
    largest = 10**12 if currency == "KHR" else 10**12 - 1  # 13 characters: 1000000000000, 9999999999.99
    edges = {1, 9, 10, 99, 100, 101, largest} | {10**k for k in range(13)} | {10**k - 1 for k in range(2, 13)}
    return sorted(a for a in edges | {int(10 ** rng.uniform(0, 12)) for _ in range(40)} if 1 <= a <= largest)


def cases() -> list[Khqr]:
    rng = random.Random(13)  # the same strings on every run
    now = datetime.now(UTC)  # the SDK refuses an expired string, against its own clock
    made = []
    for merchant in (False, True):
        for currency in ("KHR", "USD"):
            for amount in amounts(currency, rng):
                khmer = rng.random() < 0.5
                name_km = text(rng, KHMER, 25) if khmer else None
                payee = Payee(
                    bakong_account_id=f"{text(rng, list('abcdefghijklmnopqrstuvwxyz_.0123456789'), 20)}@"
                                      f"{rng.choice(['nbcq', 'devb', 'abaa', 'aclb'])}",
                    merchant_name=text(rng, PRINTABLE_ASCII, 25),
                    merchant_city=text(rng, PRINTABLE_ASCII, 15),
                    merchant_id=text(rng, PRINTABLE_ASCII, 32) if merchant else None,
                    acquiring_bank=text(rng, PRINTABLE_ASCII, 32) if merchant or rng.random() < 0.3 else None,
                    merchant_name_km=name_km,
                    merchant_city_km=text(rng, KHMER, 15) if khmer and rng.random() < 0.7 else None,
                    store_label=text(rng, PRINTABLE_ASCII, 20) if rng.random() < 0.5 else None,
                    terminal_label=text(rng, PRINTABLE_ASCII, 20) if rng.random() < 0.5 else None,
                    merchant_category_code=rng.choice(["5999", "9399", "9311"]),
                )
                created = now - timedelta(seconds=rng.randint(0, 600))
                made.append(Khqr(
                    payee=payee, currency=currency, amount=amount, created_ms=khqr.milliseconds(created),
                    expires_ms=khqr.milliseconds(now + timedelta(hours=rng.randint(1, 72))),
                    bill_number=rng.choice([None, "BR-7KQ4-M9XD", text(rng, PRINTABLE_ASCII, 25)]),
                    purpose=text(rng, PRINTABLE_ASCII, 12) if rng.random() < 0.5 else None,
                ))
    return made


def expected_by_the_sdk(request: Khqr, string: str) -> dict:
    """What BakongKHQR.decode should return for `request`: its field names, its strings, nulls for absent."""
    payee = request.payee
    return {
        "merchantType": "30" if payee.is_merchant else "29",
        "bakongAccountID": payee.bakong_account_id,
        "merchantID": payee.merchant_id,
        "acquiringBank": payee.acquiring_bank,
        "accountInformation": None,
        "billNumber": request.bill_number,
        "mobileNumber": None,
        "storeLabel": payee.store_label,
        "terminalLabel": payee.terminal_label,
        "purposeOfTransaction": request.purpose,
        "languagePreference": "km" if payee.merchant_name_km else None,
        "merchantNameAlternateLanguage": payee.merchant_name_km,
        "merchantCityAlternateLanguage": payee.merchant_city_km,
        "creationTimestamp": str(request.created_ms),
        "expirationTimestamp": str(request.expires_ms),
        "payloadFormatIndicator": "01",
        "pointofInitiationMethod": "12",
        "unionPayMerchant": None,
        "merchantCategoryCode": payee.merchant_category_code,
        "transactionCurrency": khqr.CURRENCY_NUMBERS[request.currency],
        "transactionAmount": khqr.format_amount(request.amount, request.currency),
        "countryCode": "KH",
        "merchantName": payee.merchant_name,
        "merchantCity": payee.merchant_city,
        "crc": string[-4:],
    }


def one_character_changed(string: str, rng: random.Random) -> str:
    """`string` with one ASCII character of its body (before the CRC) replaced by another."""
    position = rng.choice([i for i, c in enumerate(string[:-8]) if c.isascii()])
    replacement = rng.choice([c for c in PRINTABLE_ASCII if c != string[position]])
    return string[:position] + replacement + string[position + 1:]


def test_the_official_sdk_verifies_and_decodes_our_strings_to_the_fields_we_encoded(official_sdk):
    requests = cases()
    strings = [khqr.encode(request) for request in requests]
    assert len(strings) > 150
    assert any(r.payee.merchant_name_km for r in requests) and any(r.payee.is_merchant for r in requests)
    assert {r.amount for r in requests} >= {1, 10**12, 10**12 - 1}

    results = sdk_check(official_sdk, strings)

    for request, string, result in zip(requests, strings, results, strict=True):
        assert result["valid"], f"the SDK refuses {string!r}"
        assert result["decoded"] == expected_by_the_sdk(request, string), string
        assert result["md5"] == khqr.md5(string)


def test_the_official_sdk_refuses_our_strings_with_one_character_changed(official_sdk):
    rng = random.Random(31)
    strings = [khqr.encode(request) for request in cases()[::3]]
    changed = [one_character_changed(string, rng) for string in strings]

    results = sdk_check(official_sdk, strings + changed)

    assert all(result["valid"] for result in results[:len(strings)])
    assert not any(result["valid"] for result in results[len(strings):])
    assert not any(khqr.verify_crc(string) for string in changed)


def test_the_official_sdk_refuses_an_expired_string(official_sdk):
    # The SDK checks the expiry against its own clock: a string made with our times obeys it.
    now = datetime.now(UTC)
    payee = Payee("john_smith@devb", "John Smith", "Phnom Penh")
    expired = khqr.payment_request(payee, currency="KHR", amount=5000, bill_number="BR-7KQ4-M9XD",
                                   created=now - timedelta(hours=2), expires=now - timedelta(hours=1))
    live = khqr.payment_request(payee, currency="KHR", amount=5000, bill_number="BR-7KQ4-M9XD",
                                created=now, expires=now + timedelta(hours=1))

    assert [result["valid"] for result in sdk_check(official_sdk, [expired, live])] == [False, True]


def test_our_encoder_writes_what_the_official_sdk_generates_byte_for_byte(official_sdk):
    # Same fields, same string (tag order, lengths, CRC), once the SDK's own creation time is put in ours.
    # One difference is by design: for whole dollars the SDK writes `5` and we write `5.00` (the brief: USD
    # with two decimals; both are valid), so there only the decoded fields are compared.
    requests = cases()
    generated = sdk_generate(official_sdk, requests)

    compared = 0
    for request, sdk in zip(requests, generated, strict=True):
        assert "qr" in sdk, f"the SDK could not generate {request}: {sdk.get('error')}"
        ours = replace(request, created_ms=khqr.decode(sdk["qr"]).created_ms)
        if request.currency == "USD" and request.amount % 100 == 0:
            assert khqr.decode(sdk["qr"]) == ours
            continue
        assert khqr.encode(ours) == sdk["qr"]
        assert khqr.md5(khqr.encode(ours)) == sdk["md5"]
        compared += 1
    assert compared > len(requests) * 3 // 4
