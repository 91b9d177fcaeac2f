#!/usr/bin/env python3
"""A real SMTP server for Booth's tests (aiosmtpd), driven by booth-testkit's smtp.rs.

    python3 smtp_server.py --port P --dir D [--discard]

Every accepted message is stored in D as <seq>.eml (the raw bytes as received) with a
sidecar <seq>.json ({"mail_from": ..., "rcpt_tos": [...]}). Both are written to a temp
name and renamed, and the .json goes first, so a reader that sees a .eml sees it whole.

The file D/mode switches the behaviour at run time, read on every RCPT and DATA:
  accept   (default)  250
  tempfail            451 4.3.0 Try again later
  permfail            550 5.1.1 Mailbox unavailable

With --discard (for benchmarks) accepted messages are only counted, never stored: the
running count is written to D/count (temp name + rename) every COUNT_EVERY messages,
shortly after the last message of a burst, and on shutdown. The mode file still applies.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    # smtp.rs shows this and how to install it; exit code 3 tells it apart from a crash.
    sys.stderr.write(
        "booth-testkit: the Python package aiosmtpd is missing: "
        "install it with `python3 -m pip install aiosmtpd`\n"
    )
    sys.exit(3)

MAX_SIZE = 10 * 1024 * 1024
TEMPFAIL = "451 4.3.0 Try again later"
PERMFAIL = "550 5.1.1 Mailbox unavailable"
# --discard: how often the running count is written, in messages, and how long after the
# last message the final count of a burst is written, in seconds.
COUNT_EVERY = 100
COUNT_IDLE_FLUSH = 0.05


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Handler:
    def __init__(self, directory):
        self.dir = directory
        # Continue numbering after a restart on the same dir, so arrival order holds.
        seqs = [
            int(name[:-4])
            for name in os.listdir(directory)
            if name.endswith(".eml") and name[:-4].isdigit()
        ]
        self.seq = max(seqs, default=0)

    def mode(self):
        try:
            with open(os.path.join(self.dir, "mode")) as f:
                return f.read().strip().lower() or "accept"
        except FileNotFoundError:
            return "accept"

    def refusal(self):
        mode = self.mode()
        if mode == "tempfail":
            return TEMPFAIL
        if mode == "permfail":
            return PERMFAIL
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.refusal()
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Checked again: the mode may have changed between RCPT and DATA.
        refusal = self.refusal()
        if refusal:
            return refusal
        self.seq += 1
        base = os.path.join(self.dir, str(self.seq))
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
        }
        write_atomic(base + ".json", json.dumps(meta).encode("utf-8"))
        write_atomic(base + ".eml", content)
        return "250 OK"


class DiscardHandler(Handler):
    """Accepts like Handler but stores nothing: only a running count in D/count."""

    def __init__(self, directory):
        self.dir = directory
        # Continue counting after a restart on the same dir, like Handler's numbering.
        try:
            with open(os.path.join(directory, "count")) as f:
                self.count = int(f.read().strip() or 0)
        except FileNotFoundError:
            self.count = 0
        self.written = None
        self.flush_timer = None
        self.flush()

    def flush(self):
        self.flush_timer = None
        if self.count != self.written:
            write_atomic(os.path.join(self.dir, "count"), str(self.count).encode("ascii"))
            self.written = self.count

    async def handle_DATA(self, server, session, envelope):
        refusal = self.refusal()
        if refusal:
            return refusal
        self.count += 1
        if self.count % COUNT_EVERY == 0:
            self.flush()
        elif self.flush_timer is None:
            # The end of a burst: write the final count soon after the last message.
            self.flush_timer = asyncio.get_running_loop().call_later(
                COUNT_IDLE_FLUSH, self.flush
            )
        return "250 OK"


async def serve(port, directory, discard):
    loop = asyncio.get_running_loop()
    handler = DiscardHandler(directory) if discard else Handler(directory)

    def factory():
        # hostname given so aiosmtpd doesn't do a (possibly slow) FQDN lookup.
        return SMTP(
            handler,
            hostname="localhost",
            data_size_limit=MAX_SIZE,
            enable_SMTPUTF8=True,
            decode_data=False,  # keeps 8BITMIME advertised and the bytes untouched
            loop=loop,
        )

    server = await loop.create_server(factory, host="127.0.0.1", port=port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), timeout=2)
    except asyncio.TimeoutError:
        pass  # a client still connected must not keep us alive
    if discard:
        handler.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument(
        "--discard",
        action="store_true",
        help="count messages in DIR/count instead of storing them (benchmarks)",
    )
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    # Quiet: aiosmtpd logs every command and warns about its own options.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    asyncio.run(serve(args.port, args.dir, args.discard))


if __name__ == "__main__":
    main()
