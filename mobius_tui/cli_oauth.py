"""``mobius-tui profiles authorize NAME``: sign a profile in to a package that uses OAuth (Sage
Business Cloud), from any terminal, SSH included.

Prints the sign-in address (and offers it to the terminal's clipboard), then reads the address the
browser lands on (or just the code) from standard input; ``--listen`` catches the redirect on the
callback's 127.0.0.1 port instead, for a browser on this machine. Then the business: ``--business
ID``, the only one, or a choice by number read from standard input.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, TextIO


def authorize(args: Any, printer: Any, stdin: TextIO | None = None) -> int:
    from mobius_tui.service import oauth, packages
    from mobius_tui.service import profiles as pr
    from mobius_tui.service.secrets import load_secrets

    stdin = stdin or sys.stdin
    profile = pr.load_profile(args.name)
    secrets = load_secrets(profile, packages.find(profile.package))
    printer.hide(secrets.values_for_redaction())
    auth = oauth.start(profile, secrets)
    if printer.as_json:
        printer.json({"event": "authorize", "url": auth.url, "notice": oauth.CODE_NOTICE})
    else:
        clip = oauth.clipboard_escape(auth.url) if printer.err.isatty() else ""
        printer.err.write(f"{clip}Open this address in a browser and allow access:\n\n{auth.url}\n\n"
                          f"{oauth.CODE_NOTICE}\n")
        printer.err.write("Waiting for the browser on " + auth.redirect_uri + " ...\n" if args.listen
                          else "Paste the address (or the code) here and press Enter:\n")
        printer.err.flush()
    if args.listen:
        pasted = asyncio.run(oauth.listen_for_redirect(auth.redirect_uri))
    else:
        pasted = stdin.readline()
    printer.hide([pasted.strip()])
    businesses = asyncio.run(oauth.complete(auth, pasted))
    chosen = args.business
    if not chosen and len(businesses) == 1:
        chosen = businesses[0][0]
    if not chosen:
        if not printer.as_json:
            listing = "".join(f"  {n}. {name} ({bid})\n" for n, (bid, name) in enumerate(businesses, start=1))
            printer.err.write(f"Businesses this sign-in reaches:\n{listing}Number of the business to post into "
                              "[1]: ")
            printer.err.flush()
        answer = stdin.readline().strip() or "1"
        chosen = businesses[int(answer) - 1][0] if answer.isdigit() and 0 < int(answer) <= len(businesses) else answer
    profile = oauth.choose_business(auth.profile, chosen, businesses)
    name = dict(businesses)[chosen]
    printer.result([f"profile {profile.name} authorised; posting into {name} ({chosen})"],
                   {"authorised": profile.name, "business_id": chosen, "business": name})
    return 0
