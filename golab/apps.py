import logging

from django.apps import AppConfig
from django.db import DatabaseError, connections
from django.db.models.signals import post_migrate

security_log = logging.getLogger("golab.security")


def _logged_in(sender, request, user, **kwargs):
    security_log.info("login %s", user.get_username())


def _login_failed(sender, credentials, request=None, **kwargs):
    security_log.warning("login failed for %s", credentials.get("username", "?"))


def _locked_out(sender, request, username, ip_address, **kwargs):
    security_log.warning("lockout of %s from %s after repeated failed logins", username, ip_address)


def write_ahead_log(sender: AppConfig, using: str, **kwargs) -> None:
    """SQLite in write-ahead-log mode (kept by the file once set): pages keep reading while an
    import's long transaction holds the one write lock; in the default rollback journal they
    wait for it as soon as the import writes more than SQLite's page cache holds."""
    connection = connections[using]
    if sender.name != "golab" or connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if not isinstance(connection, DatabaseWrapper) or connection.is_in_memory_db():
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = WAL")
    except DatabaseError:
        logging.getLogger(__name__).warning("SQLite stays in its rollback journal: it is busy")


class GolabConfig(AppConfig):
    name = "golab"
    verbose_name = "Site"

    def ready(self) -> None:
        # A change to public data makes the shared page and count caches stale at once.
        from golab import invalidation

        invalidation.connect()
        post_migrate.connect(write_ahead_log, dispatch_uid="golab-sqlite-wal")
        # Which file each SQLite connection opened: one kept across requests is closed once
        # its file is moved away (golab/outage.py).
        from django.db.backends.signals import connection_created

        from golab.outage import remember_sqlite_file

        connection_created.connect(remember_sqlite_file, dispatch_uid="golab-sqlite-file")

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
