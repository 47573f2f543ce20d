from django.urls import path

from wangge.web import views

app_name = "web"

urlpatterns: list = []
