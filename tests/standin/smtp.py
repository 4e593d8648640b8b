#!/usr/bin/python3
"""tests/standin/smtp.py - the SMTP stand-in: a mail server for the tests.

Speaks real SMTP through Debian's python3-aiosmtpd: EHLO, STARTTLS with
the test certificate (required before anything else), AUTH PLAIN and
LOGIN (required, only after STARTTLS, with the one user and password it
was given), MAIL FROM, RCPT TO, DATA.  Every accepted message is stored as
DIR/<n>.eml (the bytes as received) and announced by one JSON line in
DIR/messages.jsonl: {"file", "from", "to": [...], "tls", "auth"}; the
tests count those lines, so "arrived exactly once" is a line count.

Scripted refusals, chosen by the recipient's local part so that tests
running side by side do not share state:
  tempfail<N>-...@   451 at RCPT for the first N tries, then accepted
  reject-...@        550 at RCPT, always

  smtp.py --port-file F --dir D --cert C --key K --user U --password P
Listens on 127.0.0.1, a free port written to F once it is listening.
"""
import argparse
import asyncio
import json
import os
import re
import ssl
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, directory):
        self.dir = directory
        self.seq = 0
        self.tries = {}

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        local = address.split("@", 1)[0].lower()
        m = re.match(r"tempfail(\d+)-", local)
        if m:
            n = self.tries.get(address, 0) + 1
            self.tries[address] = n
            if n <= int(m.group(1)):
                return "451 4.3.0 stand-in: try again later"
        if local.startswith("reject-"):
            return "550 5.1.1 stand-in: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seq += 1
        name = "%d.eml" % self.seq
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        line = json.dumps({
            "file": name,
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "auth": bool(session.authenticated),
        })
        # one write of one line: a reader never sees half of it
        with open(os.path.join(self.dir, "messages.jsonl"), "a") as f:
            f.write(line + "\n")
        return "250 OK stand-in: stored as " + name


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok)
    return check


async def serve(args):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    handler = Recorder(args.dir)
    check = authenticator(args.user, args.password)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="standin.ehazira.test",
                     tls_context=ctx, require_starttls=True,
                     authenticator=check, auth_required=True,
                     auth_require_tls=True, decode_data=False),
        host="127.0.0.1", port=0)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    async with server:
        await server.serve_forever()


def main():
    # aiosmtpd 1.4 warns about its own use of a deprecated attribute
    warnings.simplefilter("ignore", DeprecationWarning)
    p = argparse.ArgumentParser()
    for opt in ("port-file", "dir", "cert", "key", "user", "password"):
        p.add_argument("--" + opt, required=True)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
