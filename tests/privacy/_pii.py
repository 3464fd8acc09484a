"""A small generator of realistic personal data for the privacy tests (no network, no faker).

Values look like real ones (names from common first and last names, e-mails made of them,
phones in each country's format, Luhn-valid card numbers, mod-97-valid IBANs), and every
personal value is long enough that finding it in an output or artifact is no coincidence.
"""

import numpy as np
import pandas as pd

FIRST = ["Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Isabella",
         "Lucas", "Mia", "Mateo", "Charlotte", "Henrique", "Margarethe", "Wojciech", "Annika",
         "Francesca", "Dmitri", "Ingrid", "Takeshi", "Priyanka", "Siobhan", "Gunnar"]
LAST = ["Johnson", "Williams", "Rodriguez", "Martinez", "Andersson", "Kowalski", "Schneider",
        "Fitzgerald", "Nakamura", "Okonkwo", "Rasmussen", "Bergstrom", "Castellano", "Haddad",
        "Lindqvist", "Moreau", "Novak", "Petrov", "Quintero", "Vasquez"]
STREETS = ["Maple Street", "Oak Avenue", "Rue de Rivoli", "Calle Mayor", "Hauptstrasse",
           "Elm Road", "Baker Street", "Via Roma", "Sunset Boulevard", "Kings Lane"]
COUNTRIES = {"USA": "+1 ({a}) {b}-{c}", "France": "+33 {d} {e} {f} {g}",
             "Germany": "+49 {h} {i}", "Brazil": "+55 ({j}) {k}-{c}"}
CITIES = ["Boston", "Lyon", "Berlin", "Recife", "Denver", "Nantes", "Munich", "Salvador"]
SEGMENTS = ["retail", "wholesale", "online"]


def _digits(rng, n, width):
    return [str(v).zfill(width) for v in rng.integers(0, 10**width, size=n)]


def luhn_complete(partial):
    """Append the Luhn check digit to a digit string."""
    digits = [int(d) for d in partial][::-1]
    total = sum(d if i % 2 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(digits))
    return partial + str((10 - total % 10) % 10)


def iban(rng):
    bban = "".join(str(d) for d in rng.integers(0, 10, size=18))
    number = int(bban + "131400")  # "DE" as 1314, check digits 00
    return f"DE{98 - number % 97:02d}{bban}"


def customers(n, seed=0):
    """``n`` customers with names, contacts, address, card and a few harmless columns."""
    rng = np.random.default_rng(seed)
    first = rng.choice(FIRST, n)
    last = rng.choice(LAST, n)
    tag = np.arange(n).astype(str)  # makes every personal value unique
    country = rng.choice(list(COUNTRIES), n)
    parts = {k: _digits(rng, n, w) for k, w in
             {"a": 3, "b": 3, "c": 4, "d": 2, "e": 2, "f": 2, "g": 2, "h": 3, "i": 7,
              "j": 2, "k": 5}.items()}
    phone = [COUNTRIES[c].format(**{k: v[i] for k, v in parts.items()})
             for i, c in enumerate(country)]
    initial = pd.Series(rng.choice(list("ABCDEFGHJKLMNPRSTVW"), n))
    name = pd.Series(first) + " " + initial + ". " + pd.Series(last)
    email = (pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + tag
             + "@" + rng.choice(["gmail.com", "posteo.de", "orange.fr", "uol.com.br"], n))
    street = pd.Series(rng.integers(1, 999, n).astype(str)) + " " + rng.choice(STREETS, n)
    card = [luhn_complete("4" + "".join(_digits(rng, 1, 14)[0])) for _ in range(n)]
    frame = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "first_name": first,
        "last_name": last,
        "name": name,
        "email": email,
        "phone": phone,
        "street_address": street,
        "postal_code": _digits(rng, n, 5),
        "card_number": card,
        "iban": [iban(rng) for _ in range(n)],
        "ip": [".".join(map(str, rng.integers(1, 255, 4))) for _ in range(n)],
        "ssn": [f"{a}-{b}-{c}" for a, b, c in zip(_digits(rng, n, 3), _digits(rng, n, 2),
                                                  _digits(rng, n, 4), strict=True)],
        "country": country,
        "city": rng.choice(CITIES, n),
        "segment": rng.choice(SEGMENTS, n),
        "age": rng.integers(18, 90, n),
    })
    frame.loc[rng.random(n) < 0.1, "phone"] = None  # a null rate to keep
    return frame


def orders(customer_frame, n, seed=1):
    """``n`` orders whose ``ship_name``/``ship_email`` copy their customer's."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, len(customer_frame), n)
    picked = customer_frame.iloc[owner].reset_index(drop=True)
    return pd.DataFrame({
        "order_id": np.arange(1, n + 1),
        "customer_id": picked["customer_id"].to_numpy(),
        "ship_name": picked["name"],
        "ship_email": picked["email"],
        "amount": np.round(rng.gamma(2.0, 40.0, n), 2),
        "status": rng.choice(["open", "paid", "shipped"], n),
    })


PERSONAL = ["first_name", "last_name", "name", "email", "phone", "street_address",
            "postal_code", "card_number", "iban", "ip", "ssn"]
LONG_PERSONAL = ["name", "email", "phone", "street_address", "card_number", "iban", "ssn"]
SCHEMA = {"tables": {
    "customers": {"primary_key": "customer_id"},
    "orders": {"primary_key": "order_id", "foreign_keys": [
        {"column": "customer_id", "references": "customers.customer_id"}]}}}


def dataset(n_customers=150, n_orders=400):
    frame = customers(n_customers)
    return {"customers": frame, "orders": orders(frame, n_orders)}


def real_values(tables, columns=LONG_PERSONAL):
    """Every distinct real value of the given customer columns."""
    values = pd.concat([tables["customers"][c] for c in columns]).dropna().astype(str)
    return set(values)


def leaked_into_bytes(values, blob):
    """Values whose UTF-8 or UTF-32 (either byte order) encoding occurs in ``blob``."""
    return [v for v in values
            if any(v.encode(e) in blob for e in ("utf-8", "utf-32-le", "utf-32-be"))]


def artifact_bytes(path):
    """The file's bytes and the decompressed bytes of every zip member."""
    import zipfile

    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return raw + b"".join(archive.read(name) for name in archive.namelist())
