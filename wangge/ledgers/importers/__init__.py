"""One importer per kind of ledger."""

from __future__ import annotations

from wangge.ledgers.choices import ImportKind
from wangge.ledgers.importers.assets import AssetImporter
from wangge.ledgers.importers.base import Importer
from wangge.ledgers.importers.buildings import BuildingImporter
from wangge.ledgers.importers.enterprises import EnterpriseImporter
from wangge.ledgers.importers.occupancy import OccupancyImporter
from wangge.ledgers.importers.people import PeopleImporter

IMPORTERS: dict[ImportKind, type[Importer]] = {
    ImportKind.PEOPLE: PeopleImporter,
    ImportKind.BUILDINGS: BuildingImporter,
    ImportKind.OCCUPANCY: OccupancyImporter,
    ImportKind.ENTERPRISES: EnterpriseImporter,
    ImportKind.ASSETS: AssetImporter,
}
