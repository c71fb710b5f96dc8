"""`egov sign-agent`: run the local signing agent for the user's own USB token.

    egov sign-agent --module /usr/lib/softhsm/libsofthsm2.so --token-label LABEL \\
        [--port 8987] [--allow-origin https://egov.example.vn ...] [--pin-env NAME]

The PIN is read from the environment variable named by --pin-env (default
EGOV_SIGN_AGENT_PIN) or, when it is not set, asked for on the terminal; it stays in this
process. See docs/sign-agent.md.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egov.signing.agent import DEFAULT_PORT, SignAgent
from egov.signing.signers import DEFAULT_PKCS11_MODULE, SignerConfigError

DEFAULT_PIN_ENV = "EGOV_SIGN_AGENT_PIN"


class Command(BaseCommand):
    help = ("Run the local signing agent (127.0.0.1) that signs documents with your USB token "
            "through its PKCS#11 module.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--module", default=DEFAULT_PKCS11_MODULE,
                            help="The PKCS#11 module (driver) of the token.")
        parser.add_argument("--token-label", required=True, help="The label of the token.")
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=f"The port on 127.0.0.1 (default {DEFAULT_PORT}).")
        parser.add_argument("--allow-origin", action="append", default=[], dest="allow_origins",
                            help="A web site allowed to use the agent, e.g. "
                                 "https://egov.example.vn (repeatable).")
        parser.add_argument("--pin-env", default=DEFAULT_PIN_ENV,
                            help=f"The environment variable holding the PIN (default "
                                 f"{DEFAULT_PIN_ENV}); asked on the terminal when unset.")
        parser.add_argument("--timeout", type=float, default=30.0,
                            help="Seconds to wait for the server when downloading/uploading.")

    def handle(self, *args, **options) -> None:
        pin = os.environ.get(options["pin_env"] or DEFAULT_PIN_ENV)
        if not pin:
            if not sys.stdin.isatty():
                raise CommandError(f"Set the PIN in the environment variable "
                                   f"{options['pin_env']} or run the agent on a terminal.")
            pin = getpass.getpass("PIN of the token: ")
        if not options["allow_origins"]:
            self.stderr.write("No --allow-origin given: no web page can use the agent.")
        try:
            agent = SignAgent(module=options["module"], token_label=options["token_label"],
                              pin=pin, allow_origins=options["allow_origins"],
                              port=options["port"], timeout=options["timeout"])
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{options['port']}: {exc}") from exc
        try:
            agent.check_token()
            count = len(agent.certificates())
        except SignerConfigError as exc:
            agent.stop()
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"egov sign-agent listening on {agent.url} "
                          f"(token {options['token_label']!r}, {count} signing key(s); "
                          f"allowed: {', '.join(options['allow_origins']) or 'none'})")
        self.stdout.flush()
        try:
            agent.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            agent.httpd.server_close()
