"""One importer per kind of ledger."""

from __future__ import annotations

from wangge.ledgers.choices import ImportKind
from wangge.ledgers.importers.base import Importer
from wangge.ledgers.importers.people import PeopleImporter

IMPORTERS: dict[ImportKind, type[Importer]] = {
    ImportKind.PEOPLE: PeopleImporter,
}
