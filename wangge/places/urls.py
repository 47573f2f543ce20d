from django.urls import path

from wangge.places import views

app_name = "places"

urlpatterns = [
    path("", views.building_list, name="list"),
    path("<int:pk>/", views.building_detail, name="building"),
    path("<int:pk>/unmask/", views.landlord_unmask, name="unmask"),
    path("rooms/<int:pk>/move-in/", views.move_in, name="move-in"),
    path("rooms/<int:pk>/move-out/", views.move_out, name="move-out"),
    path("rooms/<int:pk>/report/", views.tenant_report, name="report"),
]
