"""A second factor for staff, and idle sessions ended.

Every page under ``/admin/`` needs, besides the password, a code from an authenticator app
(TOTP, django-otp's ``TOTPDevice``) or one of ten one-time recovery codes (a ``StaticDevice``).
After the password a staff account without an authenticator is sent to enrol one (a QR code
drawn on the server as inline SVG, and the secret as text); one with an authenticator is
sent to the code step. ``SecondFactorRequiredMiddleware`` does the sending, for every admin
page (import jobs and all); django-otp's ``OTPMiddleware`` reads the verified device from the
session on each request, so a removed device ends its sessions' verification at once.

Wrong codes count as failed logins in django-axes under the account name ``otp:<username>``,
so they lock like wrong passwords (``AXES_FAILURE_LIMIT`` from one address, for
``AXES_COOLOFF_HOURS``) while a good password, which resets the password's count, leaves the
code's count alone. django-otp's own throttle (a wait doubling after each wrong code, kept on
the device) limits guessing from many addresses.

Enrolment, recovery codes used or regenerated, and a factor removed or reset are logged to
``golab.security``, like changes to accounts (``golab.accounts``).

``IdleSessionMiddleware`` ends a signed-in session after ``SESSION_IDLE_TIMEOUT`` seconds
without a request.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

security_log = logging.getLogger("golab.security")

ADMIN_PREFIX = "/admin/"
# Under /admin/ but reachable with the password alone: signing in and out, and these steps.
OPEN_PATHS = ("login/", "logout/", "second-factor/")
RECOVERY_CODES = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"
# The codes just made, kept in the session until the page that shows them once.
NEW_CODES_KEY = "golab_new_recovery_codes"
# When the session last made a request (seconds since the epoch).
LAST_SEEN_KEY = "golab_last_seen"
# The time is written at most this often, so the pages of a busy session do not each save it.
LAST_SEEN_EVERY = 60
# Wrong codes are counted by django-axes under this prefix plus the username.
AXES_PREFIX = "otp:"


def _label(user: AbstractBaseUser) -> str:
    return f"{user.get_username()} (#{user.pk})"


# ---------------------------------------------------------------------------------------------
# Services


def has_second_factor(user: Any) -> bool:
    """Has ``user`` a confirmed authenticator?"""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_recovery_codes(user: Any) -> list[str]:
    """Replace ``user``'s recovery codes by ten new ones, and return them (shown once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes: set[str] = set()
        while len(codes) < RECOVERY_CODES:
            codes.add(StaticToken.random_token())
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return sorted(codes)


def remove_second_factor(user: Any, *, by: str) -> int:
    """Remove ``user``'s authenticator and recovery codes; their sessions lose their
    verification at the next request. Returns how many devices went."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        removed += (
            StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        )
    security_log.warning("second factor removed for %s by %s", _label(user), by)
    return removed


def check_code(user: Any, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts ``code``: six digits are checked against the authenticator,
    anything else against the recovery codes (a recovery code that matches is used up)."""
    code = "".join(code.split()).lower()
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    )
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


# ---------------------------------------------------------------------------------------------
# Middleware


def _step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def redirect_to_step(request: HttpRequest) -> HttpResponseRedirect:
    """Send a staff member who has given only the password to the code step, or to enrol."""
    step = "second-factor" if has_second_factor(request.user) else "second-factor-enrol"
    return HttpResponseRedirect(_step_url(step, request.get_full_path()))


class SecondFactorRequiredMiddleware:
    """No page under ``/admin/`` (other than signing in and out and the second-factor steps)
    answers a staff session that has not passed the second factor: it is sent to the step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path_info = request.path_info
        if path_info.startswith(ADMIN_PREFIX) and not path_info[len(ADMIN_PREFIX) :].startswith(
            OPEN_PATHS
        ):
            user: Any = request.user
            if user.is_authenticated and user.is_staff and not user.is_verified():
                return redirect_to_step(request)
        return self.get_response(request)


class IdleSessionMiddleware:
    """A signed-in session (staff only: the public site has no login) is logged out after
    ``settings.SESSION_IDLE_TIMEOUT`` seconds without a request to the admin. The time of the
    last request is kept in the session (so it holds across app servers). Public pages are
    left alone: they need no login, and must not read the session (while the database is
    away, /health/ answers its own JSON 503, and cached pages need no query)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if request.path_info.startswith(ADMIN_PREFIX) and SESSION_KEY in session:
            now = int(time.time())
            seen = session.get(LAST_SEEN_KEY)
            if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_TIMEOUT:
                name = request.user.get_username()
                logout(request)
                security_log.info("session of %s ended after %s s idle", name, now - seen)
                messages.info(
                    request,
                    f"You were signed out after {settings.SESSION_IDLE_TIMEOUT // 60} minutes "
                    "without activity.",
                )
            elif not isinstance(seen, int) or now - seen >= LAST_SEEN_EVERY:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _seen_at_login(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_SEEN_KEY] = int(time.time())


def connect() -> None:
    user_logged_in.connect(_seen_at_login, dispatch_uid="golab-last-seen-at-login")


# ---------------------------------------------------------------------------------------------
# Views


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The six digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=12,
        help_text="The six digits your authenticator app shows for this site.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ResetForm(forms.Form):
    confirm = forms.ChoiceField(
        label="Remove this account's authenticator and recovery codes?",
        choices=[("yes", "Yes, reset the second factor"), ("no", "No, keep it")],
        widget=forms.RadioSelect,
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _step_context(request: HttpRequest, title: str) -> dict[str, Any]:
    """What the admin's base template needs, without its menus: the person has not yet
    passed the second factor."""
    site = admin.site
    return {
        "site_title": site.site_title,
        "site_header": site.site_header,
        "site_url": site.site_url,
        "has_permission": False,
        "is_nav_sidebar_enabled": False,
        "is_popup": False,
        "title": title,
        "next": _next_url(request),
    }


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    user: Any = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return HttpResponseRedirect(
            f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}"
        )
    return None


def _wrong_code(request: HttpRequest, user: Any, form: forms.Form) -> HttpResponse | None:
    """Count a wrong code as a failed login (django-axes): the lockout response when it is
    the one too many, else None (the form says it was wrong)."""
    credentials = {"username": AXES_PREFIX + user.get_username()}
    security_log.warning("wrong second-factor code for %s", _label(user))
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        return _locked_out(request, credentials)
    form.add_error(
        "code",
        "That code is not right, or came too soon after a wrong one. Wait a few seconds and "
        "try the code your app shows now.",
    )
    return None


def _locked_out(request: HttpRequest, credentials: dict[str, str]) -> HttpResponse:
    logout(request)
    return get_lockout_response(request, None, credentials)


@sensitive_post_parameters("code")
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The code step: a code from the authenticator app, or a recovery code."""
    if refused := _staff_only(request):
        return refused
    user: Any = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    if not has_second_factor(user):
        return HttpResponseRedirect(_step_url("second-factor-enrol", next_url))
    credentials = {"username": AXES_PREFIX + user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request, credentials)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = check_code(user, form.cleaned_data["code"])
        if device is not None:
            # A new session key for the more privileged session; the wrong codes before this
            # good one are forgiven, as wrong passwords are by a good one.
            request.session.cycle_key()
            otp_login(request, device)
            AxesProxyHandler.reset_attempts(username=credentials["username"])
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                security_log.warning("recovery code used by %s (%s left)", _label(user), left)
            return HttpResponseRedirect(next_url)
        if locked := _wrong_code(request, user, form):
            return locked
    context = {**_step_context(request, "Enter your code"), "form": form}
    return TemplateResponse(request, "admin/second_factor/verify.html", context)


def qr_code_svg(text: str) -> str:
    """``text`` as a QR code, an SVG element to put in the page (drawn here: no script)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-caption" ', 1)


@sensitive_post_parameters("code")
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: scan the QR code (or type the secret), confirm a code; then
    the recovery codes are shown, once."""
    if refused := _staff_only(request):
        return refused
    user: Any = request.user
    next_url = _next_url(request)
    if has_second_factor(user):
        # A second authenticator is never added here: that would let a password alone
        # replace the factor.
        return HttpResponseRedirect(
            reverse("second-factor-manage")
            if user.is_verified()
            else _step_url("second-factor", next_url)
        )
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            confirmed = device.verify_token(code)
            if confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        if confirmed:
            otp_login(request, device)
            request.session[NEW_CODES_KEY] = new_recovery_codes(user)
            security_log.warning("second factor enrolled for %s", _label(user))
            return HttpResponseRedirect(_step_url("second-factor-recovery-codes", next_url))
        form.add_error("code", "That code is not right. Try the code your app shows now.")
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        **_step_context(request, "Set up your second factor"),
        "form": form,
        # Drawn by qrcode from the device's own key: no text a person typed is in it.
        "qr_svg": mark_safe(qr_code_svg(device.config_url)),  # noqa: S308  # nosec B308, B703
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return TemplateResponse(request, "admin/second_factor/enrol.html", context)


def _verified_only(request: HttpRequest) -> HttpResponse | None:
    if refused := _staff_only(request):
        return refused
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect_to_step(request)
    return None


@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown this once."""
    if refused := _verified_only(request):
        return refused
    codes = request.session.pop(NEW_CODES_KEY, None)
    context = {
        **admin.site.each_context(request),
        "title": "Your recovery codes",
        "codes": codes,
        "next": _next_url(request),
    }
    return TemplateResponse(request, "admin/second_factor/recovery_codes.html", context)


@sensitive_post_parameters("code")
@never_cache
def manage(request: HttpRequest) -> HttpResponse:
    """One's own second factor: new recovery codes, or remove the authenticator; either needs
    a valid code."""
    if refused := _verified_only(request):
        return refused
    user: Any = request.user
    form = CodeForm(request.POST if request.method == "POST" else None)
    action = request.POST.get("action")
    if request.method == "POST" and action in ("regenerate", "remove") and form.is_valid():
        if check_code(user, form.cleaned_data["code"]) is not None:
            if action == "regenerate":
                request.session[NEW_CODES_KEY] = new_recovery_codes(user)
                security_log.warning("recovery codes regenerated for %s", _label(user))
                return HttpResponseRedirect(reverse("second-factor-recovery-codes"))
            remove_second_factor(user, by=_label(user))
            messages.success(request, "Your authenticator and recovery codes were removed.")
            return HttpResponseRedirect(reverse("admin:index"))
        if locked := _wrong_code(request, user, form):
            return locked
    static = StaticDevice.objects.filter(user=user).first()
    context = {
        **admin.site.each_context(request),
        "title": "Your second factor",
        "form": form,
        "devices": TOTPDevice.objects.filter(user=user, confirmed=True),
        "codes_left": static.token_set.count() if static else 0,
    }
    return TemplateResponse(request, "admin/second_factor/manage.html", context)


@never_cache
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """A superuser removes another account's second factor (after an explicit yes), for a
    colleague who lost their device; they enrol again at their next sign-in."""
    if not request.user.is_superuser:
        raise PermissionDenied
    target = get_object_or_404(get_user_model(), pk=user_id)
    if target.pk == request.user.pk:
        messages.info(request, "Your own second factor is removed here, with a valid code.")
        return HttpResponseRedirect(reverse("second-factor-manage"))
    form = ResetForm(request.POST if request.method == "POST" else None)
    back = HttpResponseRedirect(reverse("admin:auth_user_change", args=[target.pk]))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"] != "yes":
            return back
        remove_second_factor(target, by=_label(request.user))
        messages.success(
            request,
            f"The second factor of {target.get_username()} was reset: they set up a new "
            "authenticator at their next sign-in.",
        )
        return back
    context = {
        **admin.site.each_context(request),
        "title": f"Reset the second factor of {target.get_username()}",
        "target": target,
        "form": form,
        "devices": TOTPDevice.objects.filter(user=target, confirmed=True),
        "opts": target._meta,
    }
    return TemplateResponse(request, "admin/second_factor/reset.html", context)


urlpatterns = [
    path("", manage, name="second-factor-manage"),
    path("code/", verify, name="second-factor"),
    path("enrol/", enrol, name="second-factor-enrol"),
    path("recovery-codes/", recovery_codes, name="second-factor-recovery-codes"),
]
