"""Log-likelihood of continuations given a context: the arithmetic of multiple-choice scoring.

A continuation's log-likelihood is the sum, over its tokens, of the log-probability the model
gives that token after the context and the continuation's earlier tokens. Sequences are padded
on the right: with causal attention the real tokens never see the pads, so positions stay
those of an unpadded run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple


class Request(NamedTuple):
    """A context and one continuation, as token ids."""

    context: list[int]
    continuation: list[int]


def encode_request(tokenizer: Any, context: str, continuation: str) -> Request:
    """Token ids of context and continuation, split where the context's own encoding ends.

    Encoding the whole text once (rather than the two parts apart) keeps the tokens a model
    would see; the continuation is what follows the context's tokens.
    """
    whole = list(tokenizer(context + continuation)["input_ids"])
    context_ids = list(tokenizer(context)["input_ids"])
    split = len(context_ids)
    if whole[:split] != context_ids or split >= len(whole):
        # A merge across the boundary: keep at least one continuation token.
        split = min(split, len(whole) - 1)
    return Request(whole[:split], whole[split:])


def truncated(request: Request, max_length: int) -> Request:
    """The request with its context cut on the left so that it fits in `max_length` tokens."""
    room = max_length - len(request.continuation)
    if len(request.context) <= room:
        return request
    return Request(request.context[len(request.context) - max(room, 1) :], request.continuation)


def continuation_logliks(model: Any, requests: Sequence[Request], pad_id: int) -> list[float]:
    """The summed log-probability of each request's continuation, in one batched forward pass."""
    import torch

    rows = [r.context + r.continuation for r in requests]
    width = max(len(row) for row in rows)
    input_ids = torch.tensor([row + [pad_id] * (width - len(row)) for row in rows])
    mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
    with torch.inference_mode():
        logits = model(input_ids=input_ids, attention_mask=mask).logits.float()
    logprobs = torch.log_softmax(logits, dim=-1)
    totals = []
    for row, request in enumerate(requests):
        start = len(request.context)
        targets = torch.tensor(request.continuation)
        # The token at position p is predicted by the logits at position p - 1.
        picked = logprobs[row, start - 1 : start - 1 + len(targets)].gather(1, targets[:, None])
        totals.append(float(picked.sum()))
    return totals


def scored_batches(requests: Sequence[Request], batch_size: int) -> list[list[int]]:
    """Indices of requests grouped by similar length, so batches carry little padding."""
    from evals.runners.generation import length_sorted_batches

    lengths = [len(r.context) + len(r.continuation) for r in requests]
    return length_sorted_batches(lengths, batch_size)


def score_requests(
    model: Any, requests: Sequence[Request], pad_id: int, batch_size: int
) -> list[float]:
    """The log-likelihood of every request, in the input order."""
    scores = [0.0] * len(requests)
    for indices in scored_batches(requests, batch_size):
        batch = [requests[i] for i in indices]
        for index, value in zip(indices, continuation_logliks(model, batch, pad_id), strict=True):
            scores[index] = value
    return scores
