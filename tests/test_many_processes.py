"""Two app processes against one PostgreSQL store serve one truth (the deploy/ set-up).

Each process keeps its own caches; what keeps them in step is the store: a
change committed through the store API raises its data version, so the next
run in *either* process reads the new register, and a sign-in signed with
the shared ``CARRIER_MAP_SESSION_SECRET`` holds on both and ends on both.

The pages are run the way a browser runs them, without one: a client on
Streamlit's WebSocket (``/_stcore/stream``) asks for a run of the City targets
page and reads the elements the server sends (the headline figures, the
sidebar's "signed in" line).
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from geo import format_area, translate
from geo.settings import BUNDLED_TARGETS
from geo.store.sessions import end_session, session_settings, start_session
from geo.store.setup import SYSTEM, open_store, store_dataset
from geo.store.users import add_user, authenticate
from tests.browser import streamlit_server
from tests.store_fixtures import database_url

# It starts two app servers: it takes turns with the browser tests (tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

SECRET = "test-only-shared-secret-0123456789abcdef"  # the same on every process, as deploy/ sets
EDITOR = ("liuhe", "liuhe-password")
RERUN_FOLLOWS = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN


@dataclass
class PageRun:
    """What one run of a page sent: headline figures by label, and the texts."""

    metrics: dict[str, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)


async def _run_page(url: str, cookie: str | None) -> PageRun:
    rerun = BackMsg()
    rerun.rerun_script.page_name = "city"  # the headline figures, without the map's cost
    headers = {"Cookie": f"carrier_map_session={cookie}"} if cookie else {}
    seen = PageRun()
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None,
                                  additional_headers=headers) as socket:
        await socket.send(rerun.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(socket.recv(), timeout=90))
            kind = message.WhichOneof("type")
            if kind == "script_finished" and message.script_finished != RERUN_FOLLOWS:
                return seen
            if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
                continue
            element = message.delta.new_element
            if element.WhichOneof("type") == "metric":
                seen.metrics[element.metric.label] = element.metric.body
            elif element.WhichOneof("type") == "markdown":
                seen.texts.append(element.markdown.body)


def run_city_page(urls: list[str], cookie: str | None = None) -> list[PageRun]:
    """Run the City targets page once on each server, at the same time (with the sign-in cookie)."""

    async def on_all() -> list[PageRun]:
        return list(await asyncio.gather(*(_run_page(url, cookie) for url in urls)))

    return asyncio.run(on_all())


def start_servers(stack: contextlib.ExitStack, env: dict[str, str], count: int) -> list[str]:
    """Start ``count`` app processes at once (each starts in seconds; in turn they add up)."""
    with ThreadPoolExecutor(count) as pool:
        starting = [pool.submit(stack.enter_context, streamlit_server(env)) for _ in range(count)]
    return [server.result() for server in starting]


def test_two_processes_on_one_store_show_each_change_and_share_sign_in(tmp_path):
    url = database_url("postgresql", tmp_path)
    store = open_store(url)
    add_user(store, SYSTEM, EDITOR[0], "town_editor", ["浏河镇"], EDITOR[1])
    settings = session_settings({"CARRIER_MAP_SESSION_SECRET": SECRET})
    token = start_session(store, *EDITOR, settings).token
    signed_in = translate("auth.signed_in", "zh", user=EDITOR[0],
                          role=translate("role.town_editor", "zh"))
    area_label = translate("kpi.new_area", "zh")

    def area_in_store() -> str:
        return format_area(store_dataset(store, BUNDLED_TARGETS).check().city.new_area_m2, "zh")

    env = {"CARRIER_MAP_DATABASE_URL": url, "CARRIER_MAP_SESSION_SECRET": SECRET}
    with contextlib.ExitStack() as servers:
        urls = start_servers(servers, env, 2)

        before = run_city_page(urls, token)
        assert before[0].metrics == before[1].metrics
        assert before[0].metrics[area_label] == area_in_store()
        assert all(signed_in in run.texts for run in before)

        carrier = store.carrier("TC031")
        values = {k: v for k, v in carrier.items()
                  if k not in ("version", "updated_at", "updated_by")}
        values["floor_area_m2"] = str(float(carrier["floor_area_m2"]) + 10000)
        store.update_carrier(authenticate(store, *EDITOR), "TC031", values, carrier["version"])

        after = run_city_page(urls, token)
        assert after[0].metrics[area_label] == after[1].metrics[area_label] == area_in_store()
        assert after[0].metrics[area_label] != before[0].metrics[area_label]

        end_session(store, token, settings)  # signing out on one computer ends it everywhere
        signed_out = run_city_page(urls, token)
        assert not any(signed_in in run.texts for run in signed_out)
    store.close()
