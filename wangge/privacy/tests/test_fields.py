"""Blind indexes keep the index choice of their model through migrations."""

from wangge.people.models import Person
from wangge.privacy.fields import BlindIndexField


def test_it_keeps_db_index_false_through_deconstruct():
    _name, _path, _args, kwargs = BlindIndexField(source="phone", db_index=False).deconstruct()
    assert kwargs["db_index"] is False
    assert BlindIndexField(**kwargs).db_index is False
    # The default stays an index of its own.
    assert BlindIndexField(source="phone").deconstruct()[3]["db_index"] is True
    # Person indexes its hashes in Meta.indexes only: no second index per column.
    assert Person._meta.get_field("id_number_hash").db_index is False
