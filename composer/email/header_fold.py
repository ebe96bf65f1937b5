"""Folding a ``Subject`` header ourselves: plain words as they are, the rest as RFC 2047 words.

Python's :mod:`email` folder can end a line with an empty encoded word
(``=?utf-8?q??=``) when a non-ASCII word falls at the fold, and it leaves a
space at the end of a folded line. :func:`fold_subject` writes the value the
way RFC 5322 §2.2.3 and RFC 2047 §2 and §5 ask:

* words of printable ASCII stay as they are; each run of words that are not
  (a non-ASCII letter, a control character, or something that looks like an
  encoded word) becomes ``=?utf-8?q?...?=`` words of at most 75 characters,
  never splitting a character, with the spaces inside the run encoded as ``_``
  (a reader ignores the white space between two encoded words);
* lines are folded before a word, so that none is longer than 78 characters
  when the words allow it, and none ends in white space.

Any white space in the subject (line breaks included) becomes one space, so a
folded value can never start a new header.
"""

from __future__ import annotations

WIDTH = 78
_PREFIX = "=?utf-8?q?"
_SUFFIX = "?="
_MAX_WORD = 75
_Q_LITERAL = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _plain(word: str) -> bool:
    return all("\x21" <= ch <= "\x7e" for ch in word) and "=?" not in word


def _q(char: str) -> str:
    if char == " ":
        return "_"
    return "".join(chr(b) if b in _Q_LITERAL else f"={b:02X}" for b in char.encode("utf-8"))


def encoded_words(text: str) -> list[str]:
    """``text`` as ``=?utf-8?q?...?=`` words of at most 75 characters, whole characters each."""
    room = _MAX_WORD - len(_PREFIX) - len(_SUFFIX)
    words: list[str] = []
    chunk = ""
    for char in text:
        piece = _q(char)
        if chunk and len(chunk) + len(piece) > room:
            words.append(_PREFIX + chunk + _SUFFIX)
            chunk = ""
        chunk += piece
    if chunk:
        words.append(_PREFIX + chunk + _SUFFIX)
    return words


def _atoms(value: str) -> list[str]:
    atoms: list[str] = []
    run: list[str] = []
    for word in value.split():
        if _plain(word):
            if run:
                atoms.extend(encoded_words(" ".join(run)))
                run = []
            atoms.append(word)
        else:
            run.append(word)
    if run:
        atoms.extend(encoded_words(" ".join(run)))
    return atoms


def fold_subject(value: str, name: str = "Subject", width: int = WIDTH) -> str:
    """The header value, folded with ``CRLF SP`` between lines (for a raw header)."""
    lines: list[str] = []
    line = ""
    used = len(name) + 2  # "Subject: "
    for atom in _atoms(value):
        if line and used + 1 + len(atom) > width:
            lines.append(line)
            line, used = atom, 1 + len(atom)
        elif line:
            line += " " + atom
            used += 1 + len(atom)
        else:
            line = atom
            used += len(atom)
    lines.append(line)
    return "\r\n ".join(lines)
