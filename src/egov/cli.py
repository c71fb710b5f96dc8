"""The `egov` console script: django-admin with eGov's settings.

Commands may be typed with dashes (`egov import-orgs FILE`); they map to Django's underscore
names (`import_orgs`)."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "egov"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
