from django.urls import path

from wangge.maps import views

app_name = "maps"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.node, name="node"),
]
