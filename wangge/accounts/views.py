"""Signing in and out of the web pages, and what a locked-out login sees."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

LOCKED_OUT_API_MESSAGE = _(
    "Too many failed sign-ins: the account is locked for a while. Please try again later."
)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Any = None,
    *args: Any,
    **kwargs: Any,
) -> HttpResponse:
    """What a locked-out login sees (django-axes calls this after a refused attempt)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "locked_out", "message": str(LOCKED_OUT_API_MESSAGE), "fields": {}},
            status=429,
        )
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
        status=429,
    )


class LoginForm(AuthenticationForm):
    """Django's login form (``authenticate(request, …)``, so lockout applies), phone-friendly."""

    error_messages = {
        "invalid_login": _("Wrong username or password."),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}
        )
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


class WanggeLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        if getattr(self.request, "axes_locked_out", False):
            return lockout_response(self.request)
        return super().form_invalid(form)


login_view = WanggeLoginView.as_view()
#: Sign out (POST only, as Django requires), then back to LOGOUT_REDIRECT_URL.
logout_view = LogoutView.as_view()
