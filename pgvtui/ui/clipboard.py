"""Copy text to every clipboard within reach, and say which: the terminal's (OSC 52, sent by
Textual — whether it arrives depends on the terminal, so it is never the only thing reported),
tmux's paste buffer when running inside tmux (``tmux load-buffer -w -``, which tmux ≥ 3.2 also
forwards to the outer terminal; tmux's default ``set-clipboard external`` drops an app's OSC 52),
and the desktop's clipboard through the first tool found (wl-copy on Wayland, xclip or xsel on
X11, pbcopy on macOS).

No Textual here: :func:`copy_with_tools` is a coroutine the App awaits in a worker.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys

TIMEOUT_S = 2.0


def clipboard_commands(env: dict[str, str] | None = None) -> list[tuple[str, list[str]]]:
    """(name shown to the user, argv) for each clipboard this environment has."""
    env = dict(os.environ) if env is None else env
    out: list[tuple[str, list[str]]] = []
    if env.get("TMUX") and shutil.which("tmux", path=env.get("PATH")):
        out.append(("tmux buffer", ["tmux", "load-buffer", "-w", "-"]))
    tools: list[tuple[str, list[str]]] = []
    if env.get("WAYLAND_DISPLAY"):
        tools.append(("wl-copy", ["wl-copy"]))
    if env.get("DISPLAY"):
        tools.append(("xclip", ["xclip", "-selection", "clipboard"]))
        tools.append(("xsel", ["xsel", "--clipboard", "--input"]))
    if sys.platform == "darwin":
        tools.append(("pbcopy", ["pbcopy"]))
    for name, argv in tools:
        if shutil.which(argv[0], path=env.get("PATH")):
            out.append((name, argv))
            break  # one desktop clipboard is enough
    return out


async def _run(argv: list[str], text: str, env: dict[str, str] | None) -> bool:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return False
    try:
        await asyncio.wait_for(proc.communicate(text.encode()), TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return False
    return proc.returncode == 0


async def copy_with_tools(text: str, env: dict[str, str] | None = None) -> list[str]:
    """Copy ``text`` with every tool :func:`clipboard_commands` finds; the names of those that
    succeeded. ``tmux load-buffer -w`` is retried without ``-w`` (tmux before 3.2)."""
    done: list[str] = []
    for name, argv in clipboard_commands(env):
        ok = await _run(argv, text, env)
        if not ok and argv[:3] == ["tmux", "load-buffer", "-w"]:
            ok = await _run(["tmux", "load-buffer", "-"], text, env)
        if ok:
            done.append(name)
    return done


def copy_summary(what: str, done: list[str]) -> str:
    """The toast: what was done, and that OSC 52 alone may not have reached anything."""
    if done:
        return f"{what} copied: {', '.join(done)} (and sent to the terminal, OSC 52)"
    return (
        f"{what} sent to the terminal's clipboard (OSC 52) only — no tmux or clipboard tool "
        "(wl-copy, xclip, xsel, pbcopy) found; if nothing arrived, your terminal does not "
        "allow OSC 52"
    )
