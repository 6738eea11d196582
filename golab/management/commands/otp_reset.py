"""manage.py otp_reset USERNAME: remove an account's second factor (authenticator and
recovery codes), for an operator whose colleague, or who, lost their device; they set up a
new authenticator at their next sign-in."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from golab.second_factor import remove_second_factor


class Command(BaseCommand):
    help = (
        "Remove the second factor (authenticator app and recovery codes) of USERNAME, so that "
        "they set up a new one at their next sign-in. Asks for 'yes' unless --yes is given. "
        "Logged to golab.security."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        username = options["username"]
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No account named {username!r}; nothing was changed.")
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("not confirmed, nothing was changed: pass --yes to reset")
            answer = input(f"Type 'yes' to remove the second factor of {username}: ")
            if answer.strip().lower() != "yes":
                raise CommandError("not confirmed, nothing was changed")
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = "unknown"
        removed = remove_second_factor(user, by=f"{operator} (manage.py otp_reset)")
        self.stdout.write(
            f"Removed {removed} device(s) of {username}: they set up a new authenticator at "
            "their next sign-in."
        )
