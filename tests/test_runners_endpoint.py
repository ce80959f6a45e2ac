"""The OpenAI-compatible client against a small fake server on localhost."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def echo(prompt: str) -> str:
    return f"echo: {prompt}"


class FakeServer:
    """Answers chat completions with `answer(prompt)`; can fail the first requests with a status."""

    def __init__(self, answer: Callable[[str], str] = echo) -> None:
        self.answer = answer
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.failures: list[int] = []  # statuses to return before answering normally
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    status = server.failures.pop(0) if server.failures else 200
                if self.path != "/v1/chat/completions":
                    status = 404
                if status != 200:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b'{"error": "try again"}')
                    return
                prompt = body["messages"][-1]["content"]
                reply = {
                    "choices": [
                        {"message": {"role": "assistant", "content": server.answer(prompt)}}
                    ]
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@contextmanager
def serving(fake: FakeServer) -> Iterator[str]:
    """Run `fake` on a free localhost port; yields its API base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def fake_server() -> Iterator[tuple[FakeServer, str]]:
    """A running echo server and its API base URL."""
    fake = FakeServer()
    with serving(fake) as url:
        yield fake, url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_answers_come_back_in_order_with_greedy_settings(fake_server):
    from evals.runners.endpoint import Endpoint, endpoint_batches
    from evals.runners.generation import GenerationSettings

    fake, url = fake_server
    endpoint = Endpoint(url, "tiny-model", api_key="secret")
    prompts = [f"prompt {i}" for i in range(7)]
    batches = list(endpoint_batches(endpoint, prompts, GenerationSettings(32, 3)))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [answer for batch in batches for _, answer in batch] == [f"echo: {p}" for p in prompts]
    assert {r["temperature"] for r in fake.requests} == {0}
    assert {r["max_tokens"] for r in fake.requests} == {32}
    assert {r["model"] for r in fake.requests} == {"tiny-model"}
    assert {h["Authorization"] for h in fake.headers} == {"Bearer secret"}


def test_a_full_completions_url_is_used_as_given(fake_server):
    from evals.runners.endpoint import Endpoint

    _, url = fake_server
    assert Endpoint(url + "/chat/completions", "m").complete("hi", 8) == "echo: hi"


def test_busy_servers_are_retried(fake_server):
    from evals.runners.endpoint import Endpoint

    fake, url = fake_server
    fake.failures = [503, 429]
    assert Endpoint(url, "m", backoff=0.01).complete("hi", 8) == "echo: hi"
    assert len(fake.requests) == 3


def test_a_client_error_is_not_retried(fake_server):
    from evals.runners.endpoint import Endpoint, EndpointError

    fake, url = fake_server
    with pytest.raises(EndpointError, match="HTTP 404"):
        Endpoint(url.replace("/v1", "/v2"), "m", backoff=0.01).complete("hi", 8)
    assert len(fake.requests) == 1


def test_an_unreachable_server_is_a_clear_error():
    from evals.runners.endpoint import Endpoint, EndpointError

    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EndpointError, match=r"unreachable .*gave up after 3 attempts"):
        Endpoint(url, "m", retries=2, backoff=0.01).complete("hi", 8)
