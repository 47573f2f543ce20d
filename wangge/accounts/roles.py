"""The default roles of the role table, kept in the database as data.

Administrators may edit them; ``sync_default_roles`` only creates what is
missing and adds permissions a newer version of wangge grants by default,
never removing what an administrator chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from wangge.accounts.choices import RoleScope

VIEW_MAP = ["regions.view_region"]
#: People and places (人、地): reading them, and keeping them (see docs/permissions.md).
PEOPLE_READ = ("people.view_person", "places.view_building")
PEOPLE_KEEP = (
    *PEOPLE_READ,
    "people.add_person",
    "people.change_person",
    "people.unmask_person",
    "places.add_building",
    "places.change_building",
    "places.add_room",
    "places.add_occupancy",
)
#: Things and organisations (物、组织): reading them, and keeping them.
BASEDATA_READ = (
    "assets.view_asset",
    "organisations.view_enterprise",
    "organisations.view_partyorganisation",
    "organisations.view_propertycompany",
    "organisations.view_socialorganisation",
)
BASEDATA_KEEP = (
    *BASEDATA_READ,
    "assets.add_asset",
    "assets.change_asset",
    "assets.inspect_asset",
    "organisations.add_enterprise",
    "organisations.change_enterprise",
    "organisations.add_partyorganisation",
    "organisations.change_partyorganisation",
    "organisations.add_propertycompany",
    "organisations.change_propertycompany",
    "organisations.add_socialorganisation",
    "organisations.change_socialorganisation",
)
ASSET_INSPECT = ("assets.view_asset", "assets.inspect_asset")
#: Safety inspections (安全检查): seeing inspections and hazards, inspecting and re-inspecting,
#: keeping enforcement records.
INSPECTION_VIEW = ("inspections.view_inspection",)
INSPECTION_WORK = (
    *INSPECTION_VIEW,
    "inspections.add_inspection",
    "inspections.add_reinspection",
    "inspections.change_hazard",
)
INSPECTION_ENFORCE = ("inspections.add_enforcementrecord",)
#: Arrival reports (离返报备): reading them, group codes, following them up.
ARRIVALS_READ = ("arrivals.view_arrivalreport",)
ARRIVALS_ORGANISE = (*ARRIVALS_READ, "arrivals.add_arrivalgroup")
ARRIVALS_KEEP = (*ARRIVALS_ORGANISE, "arrivals.follow_up_arrival")
#: Canvassing campaigns (摸排、敲门行动): following them, running them, canvassing.
CAMPAIGN_VIEW = ("campaigns.view_campaign",)
CAMPAIGN_RUN = (*CAMPAIGN_VIEW, "campaigns.add_campaign", "campaigns.change_campaign")
CAMPAIGN_WORK = (*CAMPAIGN_VIEW, "campaigns.record_attempt")
#: Emergency mode (平急转换): seeing emergencies and coverage, recording outcomes of tasks.
EMERGENCY_VIEW = ("emergency.view_emergency",)
EMERGENCY_WORK = (*EMERGENCY_VIEW, "emergency.record_outcome")
#: Care visits (关爱走访): seeing visit tasks, visits and coverage; recording visits.
CARE_READ = ("care.view_visittask",)
CARE_KEEP = (*CARE_READ, "care.record_visit")
#: Grid workers (网格员队伍): rosters, rankings and training; running training; assessing.
WORKFORCE_VIEW = (
    "workforce.view_roster",
    "workforce.view_ranking",
    "workforce.view_trainingsession",
)
WORKFORCE_RUN = (*WORKFORCE_VIEW, "workforce.add_trainingsession")
WORKFORCE_ASSESS = ("workforce.assess_workers",)
#: Suggestions (金点子) and drafts (立法联系点): reading, handling suggestions, running drafts.
SUGGESTIONS_VIEW = ("suggestions.view_suggestion",)
SUGGESTIONS_HANDLE = (
    *SUGGESTIONS_VIEW,
    "suggestions.submit_suggestion",
    "suggestions.handle_suggestion",
)
DRAFTS_MANAGE = ("suggestions.manage_draft", "suggestions.record_opinion")


@dataclass(frozen=True)
class RoleSpec:
    slug: str
    name: str
    scope: str
    levels: tuple[str, ...]
    permissions: tuple[str, ...]
    description: str = ""


DEFAULT_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "admin",
        "管理员",
        RoleScope.GLOBAL,
        (),
        (
            "regions.view_region",
            "regions.add_region",
            "regions.change_region",
            "regions.delete_region",
            "regions.import_regions",
            "accounts.manage_users",
            "audit.view_auditentry",
            "events.view_event",
            "events.report_event",
            "events.self_handle_event",
            "events.dispatch_event",
            "events.handle_event",
            "events.verify_event",
            "events.visit_event",
            "events.escalate_event",
            "events.supervise_event",
            "events.view_category",
            "events.add_category",
            "events.change_category",
            "events.view_workcalendarday",
            "events.add_workcalendarday",
            "events.change_workcalendarday",
            "events.delete_workcalendarday",
            *PEOPLE_KEEP,
            "people.view_tag",
            "people.add_tag",
            "people.change_tag",
            *BASEDATA_KEEP,
            "assets.view_assettype",
            "assets.add_assettype",
            "assets.change_assettype",
            "basedata.view_checklistitem",
            "basedata.add_checklistitem",
            "basedata.change_checklistitem",
            *ARRIVALS_KEEP,
            "arrivals.view_arrivalgroup",
            *EMERGENCY_WORK,
            "emergency.activate_emergency",
            "emergency.view_kindtag",
            "emergency.add_kindtag",
            "emergency.change_kindtag",
            "emergency.view_outcomeoption",
            "emergency.add_outcomeoption",
            "emergency.change_outcomeoption",
            *CAMPAIGN_RUN,
            *CAMPAIGN_WORK,
            "campaigns.view_outcome",
            "campaigns.add_outcome",
            "campaigns.change_outcome",
            *INSPECTION_WORK,
            *INSPECTION_ENFORCE,
            "inspections.view_checklist",
            "inspections.add_checklist",
            "inspections.change_checklist",
            "inspections.view_checklistitem",
            "inspections.add_checklistitem",
            "inspections.change_checklistitem",
            *CARE_KEEP,
            *WORKFORCE_RUN,
            *WORKFORCE_ASSESS,
            "workforce.tick_method",
            "dashboards.view_dashboard",
            *SUGGESTIONS_HANDLE,
            *DRAFTS_MANAGE,
            "suggestions.submit_opinion",
        ),
        "平台管理员：层级、用户、目录、导入",
    ),
    RoleSpec(
        "leader",
        "领导",
        RoleScope.NODE,
        ("district", "street"),
        (
            *VIEW_MAP,
            "audit.view_auditentry",
            "events.view_event",
            "events.supervise_event",
            "events.escalate_event",
            *PEOPLE_READ,
            *BASEDATA_READ,
            *EMERGENCY_VIEW,
            *CAMPAIGN_VIEW,
            *ARRIVALS_READ,
            *INSPECTION_VIEW,
            *CARE_READ,
            *WORKFORCE_VIEW,
            *WORKFORCE_ASSESS,
            "dashboards.view_dashboard",
            *SUGGESTIONS_VIEW,
        ),
        "区、街道领导：看板、报表、考核",
    ),
    RoleSpec(
        "dispatcher",
        "指挥中心",
        RoleScope.NODE,
        ("district", "street"),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.report_event",
            "events.dispatch_event",
            "events.verify_event",
            "events.visit_event",
            "events.escalate_event",
            "events.supervise_event",
            *PEOPLE_READ,
            *BASEDATA_READ,
            "assets.change_asset",
            *ARRIVALS_ORGANISE,
            *EMERGENCY_VIEW,
            "emergency.activate_emergency",
            *CAMPAIGN_RUN,
            *INSPECTION_VIEW,
            "inspections.change_hazard",
            *INSPECTION_ENFORCE,
            *CARE_READ,
            *WORKFORCE_RUN,
            *WORKFORCE_ASSESS,
            "dashboards.view_dashboard",
            *SUGGESTIONS_HANDLE,
            *DRAFTS_MANAGE,
        ),
        "街道或区综合网格指挥中心：受理、派遣、督办、核查、结案",
    ),
    RoleSpec(
        "community_staff",
        "社区工作人员",
        RoleScope.NODE,
        ("community",),
        (
            *VIEW_MAP,
            "regions.change_region",
            "events.view_event",
            "events.report_event",
            "events.dispatch_event",
            "events.verify_event",
            "events.visit_event",
            "events.escalate_event",
            *PEOPLE_KEEP,
            *BASEDATA_KEEP,
            *ARRIVALS_KEEP,
            *EMERGENCY_WORK,
            *CAMPAIGN_RUN,
            *CAMPAIGN_WORK,
            *INSPECTION_WORK,
            *INSPECTION_ENFORCE,
            *CARE_KEEP,
            *WORKFORCE_RUN,
            "dashboards.view_dashboard",
            *SUGGESTIONS_HANDLE,
            "suggestions.record_opinion",
        ),
        "村（社区）网格工作站：管理本社区的网格",
    ),
    RoleSpec(
        "grid_worker",
        "专职网格员",
        RoleScope.NODE,
        ("grid",),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.report_event",
            "events.self_handle_event",
            "events.verify_event",
            *PEOPLE_KEEP,
            *BASEDATA_KEEP,
            *ARRIVALS_KEEP,
            *EMERGENCY_WORK,
            *CAMPAIGN_WORK,
            *INSPECTION_WORK,
            *CARE_KEEP,
            "workforce.tick_method",
            "dashboards.view_dashboard",
            "suggestions.submit_suggestion",
        ),
        "一格两员：基础数据、巡查上报、走访、摸排",
    ),
    RoleSpec(
        "part_time_worker",
        "兼职网格员",
        RoleScope.NODE,
        ("unit",),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.report_event",
            "people.view_person",
            "people.add_person",
            "places.view_building",
            "places.add_occupancy",
            *ASSET_INSPECT,
            *EMERGENCY_WORK,
            *CAMPAIGN_WORK,
        ),
        "楼栋长、村小组长、党员、物业人员：协助一个最小单元",
    ),
    RoleSpec(
        "liaison_leader",
        "驻网格领导",
        RoleScope.NODE,
        ("grid",),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.escalate_event",
            "events.supervise_event",
            *BASEDATA_READ,
            *EMERGENCY_VIEW,
            *CAMPAIGN_VIEW,
            *INSPECTION_VIEW,
            "dashboards.view_dashboard",
        ),
        "挂点网格的区级干部：督导、提级",
    ),
    RoleSpec(
        "dept_member",
        "专业网格员",
        RoleScope.NODE,
        ("grid", "community"),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.report_event",
            *ASSET_INSPECT,
            *INSPECTION_WORK,
            *INSPECTION_ENFORCE,
        ),
        "职能部门派驻网格的人员：处置本领域事件",
    ),
    RoleSpec(
        "dept_handler",
        "职能部门",
        RoleScope.DEPARTMENT,
        (),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.report_event",
            "events.handle_event",
            *ASSET_INSPECT,
            "assets.change_asset",
            "suggestions.handle_suggestion",
        ),
        "城管、住建、市政、消防、公安等：处置派遣的事件",
    ),
    RoleSpec(
        "resident",
        "居民",
        RoleScope.SELF,
        ("district",),
        (
            *VIEW_MAP,
            "events.view_event",
            "events.report_event",
            "suggestions.submit_suggestion",
            "suggestions.submit_opinion",
        ),
        "上报问题、跟踪进度、评价结果",
    ),
)


def sync_default_roles(using: str = "default", apps: Any = global_apps) -> None:
    Permission = apps.get_model("auth", "Permission")
    Role = apps.get_model("accounts", "Role")
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for spec in DEFAULT_ROLES:
        role, _created = Role.objects.using(using).get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "scope": spec.scope,
                "levels": list(spec.levels),
                "description": spec.description,
            },
        )
        wanted = []
        for perm in spec.permissions:
            app_label, codename = perm.split(".")
            found = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if found is not None:
                wanted.append(found)
        role.permissions.add(*wanted)


def sync_default_roles_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "accounts":
        return
    sync_default_roles(using=using)
