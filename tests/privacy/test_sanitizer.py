import numpy as np
import pandas as pd
import pytest

from synthohive import Schema
from synthohive.exceptions import DataValidationError, NotFittedError
from synthohive.privacy import SECRET_ENV, PIISanitizer, PrivacyConfig
from tests.privacy import _pii


@pytest.fixture(scope="module")
def tables():
    return _pii.dataset(120, 300)


@pytest.fixture(scope="module")
def schema():
    return Schema.from_dict(_pii.SCHEMA)


def _by_customer(clean, column, parent_column):
    joined = clean["orders"].merge(clean["customers"], on="customer_id")
    return joined[column], joined[parent_column]


def test_default_fakes_every_personal_column_and_keeps_the_rest(tables, schema):
    original = {name: frame.copy() for name, frame in tables.items()}
    sanitizer = PIISanitizer(random_state=0).fit(tables, schema=schema)
    clean = sanitizer.transform(tables)
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], original[name])  # input untouched
    customers = clean["customers"]
    for column in _pii.PERSONAL:
        assert f"customers.{column}" in sanitizer.columns_
        assert not customers[column].dropna().isin(tables["customers"][column]).any(), column
    for column in ("customer_id", "country", "city", "segment", "age"):
        pd.testing.assert_series_equal(customers[column], tables["customers"][column])
    assert customers["phone"].isna().equals(tables["customers"]["phone"].isna())
    assert "customers.customer_id" not in sanitizer.columns_  # keys are never touched
    text = repr(sanitizer.columns_) + repr(sanitizer.name_columns_)
    assert not [v for v in _pii.real_values(tables) if v in text]


def test_copies_in_a_child_table_get_the_same_fakes(tables, schema):
    sanitizer = PIISanitizer(random_state=0).fit(tables, schema=schema)
    clean = sanitizer.transform(tables)
    assert "copies" not in sanitizer.columns_["customers.name"]["evidence"]
    assert "customers.name" in sanitizer.columns_["orders.ship_name"]["evidence"]
    for child, parent in (("ship_name", "name"), ("ship_email", "email")):
        copied, source = _by_customer(clean, child, parent)
        assert copied.equals(source)
    assert not clean["orders"]["ship_email"].isin(tables["customers"]["email"]).any()


def test_emails_are_made_of_the_fake_names(tables, schema):
    sanitizer = PIISanitizer(random_state=0).fit(tables, schema=schema)
    assert sanitizer.name_columns_["customers.email"] == ["first_name", "last_name"]
    customers = sanitizer.transform(tables)["customers"]
    expected = customers["first_name"].str.lower() + "." + customers["last_name"].str.lower()
    starts = [e.startswith(p) for e, p in zip(customers["email"], expected, strict=True)]
    assert sum(starts) == len(customers)


def test_fakes_are_deterministic_for_a_seed(tables, schema):
    first = PIISanitizer(random_state=4).fit_transform(tables, schema=schema)
    again = PIISanitizer(random_state=4).fit_transform(tables, schema=schema)
    other = PIISanitizer(random_state=5).fit_transform(tables, schema=schema)
    pd.testing.assert_frame_equal(first["customers"], again["customers"])
    assert not first["customers"]["email"].equals(other["customers"]["email"])


def test_hash_tokens_join_across_tables_and_depend_on_the_secret(tables, schema):
    config = PrivacyConfig(secret="alpha", default="hash")
    clean = PIISanitizer(config).fit_transform(tables, schema=schema)
    copied, source = _by_customer(clean, "ship_email", "email")
    assert copied.equals(source)
    assert clean["customers"]["email"].str.fullmatch(r"[0-9a-f]{32}").all()
    other = PIISanitizer(PrivacyConfig(secret="beta", default="hash")).fit_transform(
        tables, schema=schema)
    assert not set(other["customers"]["email"]) & set(clean["customers"]["email"])


def test_hash_without_a_secret_is_a_typed_error(tables, monkeypatch):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(DataValidationError, match="secret"):
        PIISanitizer(PrivacyConfig(columns={"customers.email": "hash"})).fit(tables)


def test_mask_drop_and_keep(tables, schema):
    config = PrivacyConfig(columns={"customers.email": "mask", "customers.phone": "drop",
                                    "customers.card_number": "keep"})
    clean = PIISanitizer(config, random_state=0).fit_transform(tables, schema=schema)
    customers = clean["customers"]
    assert customers["email"].str.fullmatch(r"[*.]+@[*.]+").all()
    assert "phone" not in customers
    assert customers["card_number"].equals(tables["customers"]["card_number"])
    assert not customers["iban"].isin(tables["customers"]["iban"]).any()  # still detected


def test_detection_off_sanitises_only_what_is_listed_or_declared(tables):
    schema = Schema.from_dict({"tables": {
        **_pii.SCHEMA["tables"],
        "customers": {"primary_key": "customer_id", "columns": {
            "segment": {"role": "pii", "strategy": "mask"}, "email": {"role": "pii"}}}}})
    config = PrivacyConfig(columns={"orders.status": "fake"}, detect=False)
    sanitizer = PIISanitizer(config, random_state=0).fit(tables, schema=schema)
    assert set(sanitizer.columns_) == {"customers.segment", "customers.email", "orders.status",
                                       "orders.ship_email"}  # a copy of a declared column
    clean = sanitizer.transform(tables)
    assert clean["customers"]["segment"].str.fullmatch(r"\*+").all()
    assert clean["customers"]["phone"].equals(tables["customers"]["phone"])


def test_one_table_and_errors(tables):
    frame = tables["customers"]
    clean = PIISanitizer(random_state=0).fit_transform(frame)
    assert isinstance(clean, pd.DataFrame)
    assert not clean["email"].isin(frame["email"]).any()
    with pytest.raises(NotFittedError):
        PIISanitizer().transform(frame)
    with pytest.raises(DataValidationError, match="PrivacyConfig"):
        PIISanitizer(config="fake").fit(frame)
    with pytest.raises(DataValidationError, match="DataFrame"):
        PIISanitizer().fit([1, 2])


def test_a_copy_of_a_guessed_identifier_takes_the_same_fakes():
    stores = pd.DataFrame({"store_id": np.arange(150),
                           "name": [f"Store {i}" for i in range(150)]})
    owner = np.arange(600) % 150
    sales = pd.DataFrame({"sale_id": np.arange(600), "store_id": owner,
                          "store_name": stores["name"].to_numpy()[owner]})
    sanitizer = PIISanitizer(random_state=0).fit({"stores": stores, "sales": sales})
    assert sanitizer.columns_["stores.name"]["kind"] == "identifier"
    assert "values of stores.name" in sanitizer.columns_["sales.store_name"]["evidence"]
    out = sanitizer.transform({"stores": stores, "sales": sales})
    assert not out["sales"]["store_name"].isin(stores["name"]).any()
    fake_by_store = out["stores"].set_index("store_id")["name"]
    np.testing.assert_array_equal(out["sales"]["store_name"].to_numpy(),
                                  fake_by_store.reindex(owner).to_numpy())


@pytest.fixture(scope="module")
def staff():
    last = ["Davolio", "Fuller", "Leverling", "Peacock", "Buchanan", "Suyama", "King", "Ng"]
    return pd.DataFrame({
        "staff_id": np.arange(8),
        "first_name": ["Nancy", "Andrew", "Janet", "Margaret", "Steven", "Michael", "Robert",
                       "Lee"],
        "last_name": last,
        "photo": [f"http://intranet/staff/{n.lower()}.bmp" for n in last[:6]]
        + ["http://intranet/staff/davolio.bmp", "http://intranet/staff/DAVOLIO.BMP"],
        "login": [f"{f[0].lower()}.{n.lower()}" for f, n in zip(
            ["Nancy", "Andrew", "Janet", "Margaret", "Steven", "Michael", "Robert", "Lee"],
            last, strict=True)],
        "team": ["King Street", "north", "south", "north", "King Street", "south", "north",
                 "south"],
    })


def test_names_inside_other_text_columns_take_the_fake_names(staff):
    sanitizer = PIISanitizer(random_state=0).fit(staff)
    for column in ("photo", "login"):
        assert sanitizer.columns_[column]["embeds"] == ["last_name"]
        assert "last_name" in sanitizer.columns_[column]["evidence"]
    assert "team" not in sanitizer.columns_  # "King" in a few rows is no pattern
    clean = sanitizer.transform(staff)
    fake = dict(zip(staff["last_name"], clean["last_name"], strict=True))
    expected = [f"http://intranet/staff/{fake[n].lower()}.bmp" for n in staff["last_name"][:6]]
    assert clean["photo"].tolist()[:6] == expected
    assert clean["photo"].iloc[6] == f"http://intranet/staff/{fake['Davolio'].lower()}.bmp"
    assert clean["photo"].iloc[7] == f"http://intranet/staff/{fake['Davolio'].upper()}.BMP"
    for real in staff["last_name"].str.lower():
        if len(real) >= 3:
            assert not clean["photo"].str.lower().str.contains(real).any(), real
            assert not clean["login"].str.contains(real).any(), real
    assert clean["team"].equals(staff["team"])


def test_names_inside_text_follow_the_name_strategy(staff):
    config = PrivacyConfig(columns={"last_name": {"kind": "person_name", "strategy": "mask"},
                                    "first_name": {"kind": "person_name", "strategy": "mask"}})
    sanitizer = PIISanitizer(config, random_state=0).fit(staff)
    assert sanitizer.columns_["photo"]["strategy"] == "mask"
    assert "embeds" not in sanitizer.columns_["photo"]
    kept = PIISanitizer(PrivacyConfig(columns={"photo": {"strategy": "keep"}}),
                        random_state=0).fit(staff)
    assert "photo" not in kept.columns_  # an explicit keep wins


def test_names_inside_text_without_the_name_column_are_faked_whole(staff):
    sanitizer = PIISanitizer(random_state=0).fit(staff)
    clean = sanitizer.transform(staff.drop(columns=["first_name", "last_name"]))
    assert not clean["photo"].isin(staff["photo"]).any()
    assert not clean["photo"].str.lower().str.contains("davolio").any()
