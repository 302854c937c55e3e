"""Whether the window can open, asked before Qt is: when Qt finds no display, or its X11 plugin cannot load its
libraries, it aborts the process (exit code 134) after a page of plugin messages. This says in one line what is
missing and how to get it. Pure Python (ctypes), so the answer comes before Qt's libraries are loaded."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Mapping

X11_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
}
"""The libraries Qt's X11 plugin (libqxcb) loads, by file name, with the Debian/Ubuntu package that provides each."""


def can_load(soname: str) -> bool:
    """Whether the dynamic loader finds and loads the library. Qt loads the same ones a moment later, so this costs
    little on a desktop that has them."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def x_server_answers(display: str) -> bool:
    """Whether the X server named by DISPLAY accepts a connection, asked through libxcb as Qt's plugin asks it."""
    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def display_problem(env: Mapping[str, str], platform: str = sys.platform,
                    can_load: Callable[[str], bool] = can_load,
                    x_server_answers: Callable[[str], bool] = x_server_answers) -> str | None:
    """Why the window cannot open here, as one line, or None. Only Linux is checked, and only when Qt picks the
    platform itself: one chosen with QT_QPA_PLATFORM (offscreen, vnc, ...) is left to Qt, and so is Wayland."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY")
    if not display:
        return ("cannot open the window: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); start it from a "
                "desktop session or over `ssh -X` (the headless `train` command needs no display)")
    missing = [package for soname, package in X11_LIBRARIES.items() if not can_load(soname)]
    if missing:
        return (f"cannot open the window: Qt's X11 plugin needs libraries that are not installed; on Debian or "
                f"Ubuntu: sudo apt install {' '.join(missing)}")
    if not x_server_answers(display):
        return (f"cannot open the window: the display DISPLAY={display} does not answer; start it from a desktop "
                "session or set DISPLAY to a running X server")
    return None
