import logging

from django.apps import AppConfig

security_log = logging.getLogger("golab.security")


def _logged_in(sender, request, user, **kwargs):
    security_log.info("login %s", user.get_username())


def _login_failed(sender, credentials, request=None, **kwargs):
    security_log.warning("login failed for %s", credentials.get("username", "?"))


def _locked_out(sender, request, username, ip_address, **kwargs):
    security_log.warning("lockout of %s from %s after repeated failed logins", username, ip_address)


class GolabConfig(AppConfig):
    name = "golab"
    verbose_name = "Site"

    def ready(self) -> None:
        # A change to public data makes the shared page and count caches stale at once.
        from golab import invalidation

        invalidation.connect()

        # Security events are logged where they happen: logins, failures, lockouts here;
        # publish, withdraw, import and restore in the code that does them.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        user_logged_in.connect(_logged_in, dispatch_uid="golab-login")
        user_login_failed.connect(_login_failed, dispatch_uid="golab-login-failed")
        user_locked_out.connect(_locked_out, dispatch_uid="golab-locked-out")

        from golab import accounts, second_factor

        accounts.connect()
        second_factor.connect()
