"""Demo data of the resident portal: the plain-language choices and the demo resident's phone.

``seed_demo("440704", seed=1)`` (after the catalogue and accounts are seeded) adds the
default plain-language choices and gives the demo ``resident`` account the phone
``DEMO_PHONE``, so that it can also sign in by SMS code (the console gateway writes
the code to the log).  Deterministic; running it again changes nothing.
"""

from __future__ import annotations

from django.db import transaction

from wangge.accounts.models import User
from wangge.audit.actions import record
from wangge.lib.crypto import mask_phone
from wangge.portal.models import ResidentAccount
from wangge.portal.plain import seed_plain_choices
from wangge.privacy.fields import blind_index

DEMO_PHONE = "13800138000"


@transaction.atomic
def seed_demo(district_code: str, *, seed: int) -> str:
    added = seed_plain_choices()
    resident = User.objects.filter(username="resident").first()
    phone = ""
    if (
        resident is not None
        and not ResidentAccount.objects.filter(user=resident).exists()
        and not ResidentAccount.objects.filter(phone_hash=blind_index(DEMO_PHONE)).exists()
    ):
        account = ResidentAccount.objects.create(user=resident, phone=DEMO_PHONE)
        record(
            "portal.demo_phone", actor=None, obj=account, after={"phone": mask_phone(DEMO_PHONE)}
        )
        phone = f"，演示居民手机号 {DEMO_PHONE}"
    return f"居民端：{added} 个问题类型{phone}"
