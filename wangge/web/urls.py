from django.urls import path
from django.views.generic import RedirectView

from wangge.accounts.views import login_view, logout_view
from wangge.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", login_view, name="login"),
    # Where Django and most sites sign in: sent on, with ?next= kept.
    path(
        "accounts/login/",
        RedirectView.as_view(pattern_name="web:login", query_string=True, permanent=True),
    ),
    path("logout/", logout_view, name="logout"),
    path("me/", views.overview, name="overview"),
    path("all/", views.all_modules, name="modules"),
    path("grid/<str:code>/", views.grid, name="grid"),
    path("area/<str:code>/", views.area, name="area"),
    path("area/<str:code>/children/", views.area_children, name="area-children"),
    path("area/<str:code>/geojson/", views.area_geojson, name="area-geojson"),
]
