"""A client for OpenAI-compatible chat-completions servers (vLLM, TGI, ...), standard library only."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from evals.runners.generation import Batch, GenerationSettings

RETRIED_STATUS = {408, 429, 500, 502, 503, 504}


class EndpointError(Exception):
    """The server could not answer; the message names the URL and the reason."""


@dataclass(frozen=True)
class Endpoint:
    """One server and model: `url` is the API base (…/v1) or the full …/chat/completions URL."""

    url: str
    model: str
    api_key: str | None = None
    timeout: float = 120.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubled each time

    @property
    def completions_url(self) -> str:
        """The chat-completions URL."""
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"

    def complete(self, prompt: str, max_new_tokens: int) -> str:
        """The server's greedy (temperature 0) answer to one user prompt."""
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0,
            "max_tokens": max_new_tokens,
        }
        reply = self._post_with_retries(body)
        try:
            return str(reply["choices"][0]["message"]["content"] or "").strip()
        except (KeyError, IndexError, TypeError):
            raise EndpointError(
                f"{self.completions_url}: unexpected reply {str(reply)[:200]!r}"
            ) from None

    def _post_with_retries(self, body: dict[str, Any]) -> Any:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                return self._post(body)
            except _Retryable as error:
                if attempt == self.retries:
                    raise EndpointError(
                        f"{self.completions_url}: {error} (gave up after {attempt + 1} attempts)"
                    ) from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _post(self, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            self.completions_url, data=json.dumps(body).encode(), headers=self._headers()
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:200]
            if error.code in RETRIED_STATUS:
                raise _Retryable(f"HTTP {error.code}: {detail}") from None
            raise EndpointError(f"{self.completions_url}: HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise _Retryable(f"server unreachable ({reason})") from None
        except json.JSONDecodeError:
            raise EndpointError(f"{self.completions_url}: the reply is not JSON") from None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers


class _Retryable(Exception):
    """A failure worth another attempt (connection refused, timeout, 429, 5xx)."""


def endpoint_batches(
    endpoint: Endpoint, prompts: Sequence[str], settings: GenerationSettings
) -> Iterator[Batch]:
    """Answers batch by batch; the prompts of a batch are sent concurrently."""
    with ThreadPoolExecutor(max_workers=settings.batch_size) as pool:
        for start in range(0, len(prompts), settings.batch_size):
            indices = list(range(start, min(start + settings.batch_size, len(prompts))))
            answers = pool.map(
                lambda i: endpoint.complete(prompts[i], settings.max_new_tokens), indices
            )
            yield list(zip(indices, answers, strict=True))
