"""Log-likelihood of continuations given a context: the arithmetic of multiple-choice scoring.

A continuation's log-likelihood is the sum, over its tokens, of the log-probability the model
gives that token after the context and the continuation's earlier tokens. Padding never
changes a real token's position or what it attends to: masks and positions come from lengths.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
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
    # Split after as many tokens as the context alone has, keeping at least one to score; a
    # token merged across the boundary then counts as continuation.
    split = min(len(context_ids), len(whole) - 1)
    return Request(whole[:split], whole[split:])


def truncated(request: Request, max_length: int) -> Request:
    """The request with its context cut on the left so that it fits in `max_length` tokens."""
    room = max_length - len(request.continuation)
    if len(request.context) <= room:
        return request
    return Request(request.context[len(request.context) - max(room, 1) :], request.continuation)


def shared_context_logliks(
    model: Any, groups: Sequence[tuple[list[int], list[list[int]]]], pad_id: int
) -> list[list[float]]:
    """For each (context, continuations) group, every continuation's log-likelihood.

    Each context runs once (left-padded, logits of its last position only); its key/value
    cache is then copied for each of its continuations, which run together right-padded. The
    options of a question share a long context and differ in a few tokens, so this costs about
    one forward pass per question instead of one per option.
    """
    import torch
    from transformers import DynamicCache

    from evals.runners.generation import left_padded

    input_ids, mask = left_padded([context for context, _ in groups], pad_id)
    cache = DynamicCache(config=model.config)
    with torch.inference_mode():
        first = model(
            input_ids=input_ids, attention_mask=mask, position_ids=_positions(mask),
            past_key_values=cache, use_cache=True, logits_to_keep=1,
        ).logits[:, -1].float().log_softmax(-1)  # fmt: skip
        owner = torch.tensor([g for g, (_, options) in enumerate(groups) for _ in options])
        cache.batch_select_indices(owner)
        options = [option for _, group_options in groups for option in group_options]
        option_ids, option_mask = _right_padded(options, pad_id)
        starts = mask.sum(-1)[owner, None]
        rest = model(
            input_ids=option_ids, attention_mask=torch.cat([mask[owner], option_mask], dim=-1),
            position_ids=starts + torch.arange(option_ids.shape[1]), past_key_values=cache,
        ).logits.float().log_softmax(-1)  # fmt: skip
    # Token i of an option is predicted by the context's last logits (i = 0) or by the
    # option's own position i - 1; pads after an option's end are masked out of the sum.
    later = rest[:, :-1].gather(-1, option_ids[:, 1:, None]).squeeze(-1) * option_mask[:, 1:]
    totals = (first[owner, option_ids[:, 0]] + later.sum(-1)).tolist()
    ends = list(accumulate(len(group_options) for _, group_options in groups))
    return [totals[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def score_requests(
    model: Any, requests: Sequence[Request], pad_id: int, batch_size: int
) -> list[float]:
    """The log-likelihood of every request, in the input order.

    Requests with the same context are scored together; a forward pass holds up to
    `batch_size` continuations, from contexts of similar length.
    """
    by_context: dict[tuple[int, ...], list[int]] = {}
    for index, request in enumerate(requests):
        by_context.setdefault(tuple(request.context), []).append(index)
    scores = [0.0] * len(requests)
    for batch in _context_batches(list(by_context.items()), batch_size):
        groups = [
            (list(context), [requests[i].continuation for i in members])
            for context, members in batch
        ]
        values = shared_context_logliks(model, groups, pad_id)
        for (_, members), group_values in zip(batch, values, strict=True):
            for index, value in zip(members, group_values, strict=True):
                scores[index] = value
    return scores


def _context_batches(
    groups: list[tuple[tuple[int, ...], list[int]]], batch_size: int
) -> list[list[tuple[tuple[int, ...], list[int]]]]:
    """Groups sorted by context length, packed so a batch holds at most `batch_size` options."""
    ordered = sorted(groups, key=lambda group: len(group[0]))
    batches: list[list[tuple[tuple[int, ...], list[int]]]] = []
    count = 0
    for group in ordered:
        if not batches or count + len(group[1]) > batch_size:
            batches.append([])
            count = 0
        batches[-1].append(group)
        count += len(group[1])
    return batches


def _right_padded(rows: Sequence[list[int]], pad_id: int) -> tuple[Any, Any]:
    """Ids padded on the right and the mask of real tokens."""
    import torch

    width = max(len(row) for row in rows)
    ids = [row + [pad_id] * (width - len(row)) for row in rows]
    mask = [[1] * len(row) + [0] * (width - len(row)) for row in rows]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)


def _positions(mask: Any) -> Any:
    """Position ids that start at 0 on each row's first real token (left padding)."""
    return (mask.cumsum(-1) - 1).clamp(min=0)
