from django.urls import path

from wangge.suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("", views.suggestion_list, name="list"),
    path("new/", views.suggestion_new, name="new"),
    path("<int:pk>/", views.suggestion_detail, name="detail"),
    path("<int:pk>/<slug:slug>/", views.suggestion_act, name="act"),
    path("drafts/", views.draft_list, name="drafts"),
    path("drafts/new/", views.draft_new, name="draft_new"),
    path("drafts/points/", views.point_list, name="points"),
    path("drafts/<int:pk>/", views.draft_detail, name="draft"),
    path("drafts/<int:pk>/opinions/", views.opinion_new, name="opinion_new"),
    path("drafts/<int:pk>/opinions/export/", views.draft_export, name="export"),
    path(
        "drafts/<int:pk>/opinions/<int:opinion_pk>/answer/",
        views.opinion_answer,
        name="opinion_answer",
    ),
    path("drafts/<int:pk>/<slug:move>/", views.draft_move, name="draft_move"),
]
