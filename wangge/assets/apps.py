from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "wangge.assets"
    label = "assets"
    verbose_name = _("Assets (city parts)")

    def ready(self) -> None:
        from wangge.assets.catalogue import seed_asset_types_after_migrate

        post_migrate.connect(seed_asset_types_after_migrate, dispatch_uid="wangge-asset-types")
