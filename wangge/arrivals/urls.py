from django.urls import path

from wangge.arrivals import views

app_name = "arrivals"

urlpatterns = [
    # Public: no login.
    path("", views.report, name="report"),
    path("places/", views.places, name="places"),
    path("map/<str:code>/", views.district_map, name="map"),
    path("g/new/", views.group_new, name="group-new"),
    path("g/<str:code>/", views.group_report, name="group"),
    path("g/<str:code>/qr.svg", views.group_qr, name="group-qr"),
    # Staff: scoped.
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/unmask/", views.report_unmask, name="report-unmask"),
    path("reports/<int:pk>/match/", views.report_match, name="report-match"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("groups/", views.group_list, name="groups"),
]
