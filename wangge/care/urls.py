from django.urls import path

from wangge.care import views

app_name = "care"

urlpatterns = [
    path("", views.visit_list, name="list"),
    path("coverage/", views.coverage_table, name="coverage"),
    path("people/<int:pk>/", views.person_visits, name="person"),
    path("people/<int:pk>/visit/", views.record_visit, name="record"),
    path("visits/<int:pk>/photo/", views.visit_photo, name="photo"),
]
