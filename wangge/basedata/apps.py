from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BasedataConfig(AppConfig):
    name = "wangge.basedata"
    label = "basedata"
    verbose_name = _("Base data checklist")

    def ready(self) -> None:
        from wangge.basedata.checklist import seed_checklist_after_migrate

        post_migrate.connect(seed_checklist_after_migrate, dispatch_uid="wangge-basedata-checklist")
