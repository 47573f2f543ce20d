from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "wangge.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from wangge.accounts.roles import sync_default_roles_after_migrate

        post_migrate.connect(sync_default_roles_after_migrate, dispatch_uid="wangge-default-roles")
