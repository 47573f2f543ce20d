from django.urls import path

from wangge.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.index, name="index"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("party/", views.party_list, name="party"),
    path("party/<int:pk>/", views.party_detail, name="party-detail"),
    path("property-companies/", views.company_list, name="companies"),
    path("property-companies/<int:pk>/", views.company_detail, name="company"),
    path("social/", views.social_list, name="social"),
    path("social/<int:pk>/", views.social_detail, name="social-detail"),
]
