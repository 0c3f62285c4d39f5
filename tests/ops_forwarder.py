"""A unix-socket forwarder to PostgreSQL in a process of its own, so a test can SIGSTOP it: every connection through
it then hangs as behind a dead network path (nothing refused, nothing answered).

    python tests/ops_forwarder.py TARGET_SOCKET LISTEN_SOCKET
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main(target: str, listen: str) -> None:
    async def client(reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    with contextlib.suppress(FileNotFoundError):
        os.unlink(listen)
    server = await asyncio.start_unix_server(client, path=listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
