from django.urls import path

from wangge.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.hazard_list, name="hazards"),
    path("done/", views.inspection_list, name="inspections"),
    path("new/", views.start, name="new"),
    path("new/<str:kind>/<int:pk>/", views.inspect, name="inspect"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard"),
    path("hazards/<int:pk>/<slug:slug>/", views.hazard_act, name="hazard-act"),
]
