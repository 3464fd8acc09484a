import numpy as np
import pandas as pd
import pytest

from synthohive import Schema
from synthohive.exceptions import DataValidationError
from synthohive.privacy import IDENTIFIER, PERSONAL_KINDS, detect_pii
from synthohive.privacy._detect import iban_remainder, identifier_like, luhn_valid
from tests.privacy import _pii

EXPECTED = {"first_name": "person_name", "last_name": "person_name", "name": "person_name",
            "email": "email", "phone": "phone", "street_address": "street_address",
            "postal_code": "postal_code", "card_number": "card_number", "iban": "iban",
            "ip": "ip_address", "ssn": "national_id"}


def _harmless(n, seed=5):
    rng = np.random.default_rng(seed)
    products = ["Chai", "Chang", "Aniseed Syrup", "Chef Anton's Cajun Seasoning", "Tofu",
                "Ikura", "Konbu", "Pavlova", "Gorgonzola Telino", "Mascarpone Fabioli"]
    return pd.DataFrame({
        "product_name": rng.choice(products, n),
        "category_name": rng.choice(["Beverages", "Condiments", "Seafood", "Dairy"], n),
        "genre": rng.choice(["Rock", "Jazz", "Metal", "Alternative & Punk", "Latin"], n),
        "store_city": rng.choice(_pii.CITIES + ["New York", "São Paulo", "Rio de Janeiro"], n),
        "origin_country": rng.choice(["USA", "France", "Germany", "Brazil", "Czech Republic"], n),
        "status": rng.choice(["open", "paid"], n),
        "title": rng.choice(["Sales Manager", "IT Staff", "General Manager"], n),
        "amount": rng.gamma(2.0, 10.0, n),
    })


def test_detection_precision_and_recall_on_a_labelled_mix():
    customers = _pii.customers(300)
    frame = pd.concat([customers.drop(columns=["customer_id"]), _harmless(300)], axis=1)
    found = {k.split(".", 1)[1]: e for k, e in detect_pii({"customers": frame}).items()}
    personal = {c for c, e in found.items() if e["kind"] in PERSONAL_KINDS}
    truth = set(EXPECTED)
    precision = len(personal & truth) / len(personal)
    recall = len(personal & truth) / len(truth)
    assert precision == 1.0
    assert recall == 1.0
    assert {c: found[c]["kind"] for c in truth} == EXPECTED
    for harmless in _harmless(1).columns:
        assert harmless not in found  # products, cities, countries, categories, genres
    assert all(e["strategy"] == "fake" and e["evidence"] for e in found.values())


def test_evidence_never_quotes_a_value():
    customers = _pii.customers(50)
    found = detect_pii(customers)
    text = " ".join(e["evidence"] for e in found.values())
    for column in ("email", "phone", "card_number", "name"):
        assert not any(v in text for v in customers[column].dropna())


def test_values_alone_find_kinds_under_neutral_names():
    customers = _pii.customers(120).rename(columns={
        "email": "c1", "card_number": "c2", "iban": "c3", "ip": "c4", "ssn": "c5",
        "phone": "c6", "street_address": "c7"})
    found = detect_pii(customers)
    assert {c: found[c]["kind"] for c in ("c1", "c2", "c3", "c4", "c5", "c6", "c7")} == {
        "c1": "email", "c2": "card_number", "c3": "iban", "c4": "ip_address",
        "c5": "national_id", "c6": "phone", "c7": "street_address"}


def test_person_names_need_a_personal_column_or_table_name():
    names = pd.Series([f"{a} {b}" for a, b in zip(_pii.FIRST * 5, _pii.LAST * 6, strict=False)])
    frame = pd.DataFrame({"contact_name": names, "artist_name": names, "id": range(len(names))})
    found = detect_pii({"customers": frame.assign(name=names),
                        "artists": frame[["id"]].assign(name=names)})
    assert found["customers.contact_name"]["kind"] == "person_name"
    assert found["customers.name"]["kind"] == "person_name"
    assert found["customers.artist_name"]["kind"] not in PERSONAL_KINDS
    assert found.get("artists.name", {}).get("kind") not in PERSONAL_KINDS


def test_identifiers_and_free_text_and_lookup_tables():
    rng = np.random.default_rng(0)
    n = 200
    notes = [f"Customer called about order {i} and asked for a refund of the damaged parcel"
             for i in range(n)]
    frame = pd.DataFrame({"id": range(n), "title": [f"Album number {i}" for i in range(n)],
                          "notes": notes, "kind": rng.choice(["a", "b"], n)})
    schema = Schema.from_dict({"tables": {"albums": {"primary_key": "id"},
                                          "genres": {"primary_key": "id"}}})
    genres = pd.DataFrame({"id": range(25), "name": [f"Genre {i}" for i in range(25)]})
    found = detect_pii({"albums": frame, "genres": genres}, schema=schema)
    assert found["albums.title"]["kind"] == IDENTIFIER
    assert found["albums.notes"]["kind"] == "free_text"
    assert "albums.kind" not in found
    assert "albums.id" not in found
    assert "genres.name" not in found  # the only column of a lookup table is its labels
    assert identifier_like(genres["name"], has_other_columns=True)
    assert not identifier_like(genres["name"], has_other_columns=False)
    assert identifier_like(frame["title"], has_other_columns=False)  # 200 values: an id


def test_free_text_of_a_tiny_table_is_found_and_short_labels_are_not():
    staff = pd.DataFrame({
        "staff_id": range(6),
        "notes": [f"Joined in {1990 + i} after a degree in economics at a large university"
                  for i in range(6)],
        "title": ["Sales Representative"] * 3 + ["Sales Manager"] * 2 + ["Vice President"],
        "code": [f"X{i}" for i in range(6)]})
    found = detect_pii({"staff": staff},
                       schema=Schema.from_dict({"tables": {"staff": {"primary_key": "staff_id"}}}))
    assert found["staff.notes"]["kind"] == "free_text"
    assert "staff.title" not in found
    assert "staff.code" not in found  # short and few: not free text, not an identifier


def test_a_phone_extension_is_a_phone_and_a_file_extension_is_not():
    staff = pd.DataFrame({"extension": ["5467", "3457", "428", "465"],
                          "ext": ["12", "7", "301", "44"],
                          "file_extension": [".bmp", ".png", ".bmp", ".gif"],
                          "extension_count": ["many", "few", "few", "many"]})
    found = detect_pii(staff)
    assert found["extension"]["kind"] == found["ext"]["kind"] == "phone"
    assert "phone extension" in found["extension"]["evidence"]
    assert "file_extension" not in found
    assert "extension_count" not in found


def test_credentials_are_found_by_name_even_when_constant():
    frame = pd.DataFrame({"username": ["mike", "jon"], "password": ["8cb2237d0679ca88db64"] * 2,
                          "api_token": ["tk-1", "tk-2"], "active": [1, 1]})
    found = detect_pii(frame)
    assert found["password"]["kind"] == "credential"
    assert found["api_token"]["kind"] == "credential"
    assert "credential" in PERSONAL_KINDS


def test_checksums():
    assert luhn_valid(np.array(["4539 1488 0343 6467", "79927398713", "79927398710"])).tolist() \
        == [True, True, False]
    assert iban_remainder(np.array(["GB82 WEST 1234 5698 7654 32", _pii.iban(
        np.random.default_rng(0))])).tolist() == [1, 1]


def test_detect_pii_rejects_other_input():
    with pytest.raises(DataValidationError, match="DataFrame"):
        detect_pii([1, 2, 3])
