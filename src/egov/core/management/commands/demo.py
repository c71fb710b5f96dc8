"""`egov demo`: load the fictional demo organisation and accounts (idempotent) and print them."""

from django.core.management.base import BaseCommand

from egov.core.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load demo data (a fictional province, its units and one user per role); idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quiet-accounts", action="store_true",
                            help="Do not print the demo accounts.")

    def handle(self, *, quiet_accounts=False, **options) -> None:
        created = load_demo()
        # Each module may add its own demo data in `<app>/demo.py` with `load_demo()`.
        from importlib import import_module
        from importlib.util import find_spec

        from django.apps import apps

        more_accounts = []  # a module's own demo accounts: its DEMO_ACCOUNTS
        for config in apps.get_app_configs():
            if config.name.startswith("egov.") and config.name != "egov.core" \
                    and find_spec(f"{config.name}.demo"):
                module = import_module(f"{config.name}.demo")
                module.load_demo()
                more_accounts += getattr(module, "DEMO_ACCOUNTS", [])
        self.stdout.write(
            "Demo data (DỮ LIỆU MẪU, fictional): "
            f"{created['units']} units, {created['users']} users, "
            f"{created['work_items']} work items created."
        )
        if not quiet_accounts:
            self.stdout.write("")
            self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
            for username, (full_name, _eid, title, _roles, desc) in USERS.items():
                self.stdout.write(f"  {username:<12} {desc:<18} {title} — {full_name}")
            for username, desc, title, full_name in more_accounts:
                self.stdout.write(f"  {username:<12} {desc:<18} {title} — {full_name}")
