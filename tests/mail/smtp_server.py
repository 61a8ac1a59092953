"""A real SMTP server for the mail tests (aiosmtpd, pinned in tests/compat/requirements.txt).

Usage: smtp_server.py PORT OUTDIR [refuse]
Listens on 127.0.0.1:PORT. Each message it accepts is written to OUTDIR as NNNN.json, decoded by
Python's email package: {"from", "to", "subject", "language", "text", "html", "raw"}. With
`refuse`, every recipient gets a temporary failure (451), as from a server that is full or
greylisting. Prints "ready" once it listens.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {"text/plain": "", "text/html": ""}
        for part in message.walk():
            kind = part.get_content_type()
            if kind in parts and not part.is_multipart():
                parts[kind] = part.get_content()
        self.count += 1
        record = {
            "from": str(message["From"]),
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "text": parts["text/plain"],
            "html": parts["text/html"],
            "raw": envelope.content.decode("utf-8", "replace"),
        }
        path = os.path.join(self.outdir, f"{self.count:04}.json")
        with open(path + ".part", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".part", path)
        return "250 Message accepted for delivery"


class Refusing:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "451 4.3.0 Mailbox busy, try again later"


def main():
    port = int(sys.argv[1])
    outdir = sys.argv[2]
    refuse = len(sys.argv) > 3 and sys.argv[3] == "refuse"
    os.makedirs(outdir, exist_ok=True)
    handler = Refusing() if refuse else Store(outdir)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
