import pytest

from synthohive import Schema
from synthohive.exceptions import SchemaValidationError


def test_pii_role_takes_an_optional_strategy():
    spec = {"tables": {"people": {"primary_key": "id", "columns": {
        "email": {"role": "pii", "strategy": "hash"}, "phone": {"role": "pii"}}}}}
    schema = Schema.from_dict(spec)
    assert schema["people"].role("email") == "pii"
    assert Schema.from_dict(schema.to_dict()).to_dict() == schema.to_dict()
    bad = {"tables": {"people": {"primary_key": "id", "columns": {
        "email": {"role": "pii", "strategy": "shred"},
        "name": {"role": "id", "strategy": "fake"}}}}}
    with pytest.raises(SchemaValidationError) as info:
        Schema.from_dict(bad)
    assert "shred" in str(info.value)
    assert "'name'" in str(info.value)
