"""What the OpenAI and Anthropic fakes share: token counts, prompt text and echoed answers."""

from __future__ import annotations

from typing import Any


def tokens(text: str) -> int:
    """About four characters per token, like the real tokenisers on English text."""
    return max(1, (len(text) + 3) // 4)


def text_of(content: Any) -> str:
    """Message content, a string or a list of parts ({"type": "text", "text": ...})."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def echo(prompt: str) -> str:
    last = prompt.strip().splitlines()[-1] if prompt.strip() else ""
    return f"Fake answer to: {last[:200]}"
