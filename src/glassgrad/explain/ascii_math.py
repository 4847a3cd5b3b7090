"""The ASCII math of the notes, set as LaTeX math: ``||y - yhat||^2`` becomes
``$\\lVert y - \\hat{y}\\rVert^2$``, ``dL/dW3 = delta3 h2^T`` becomes
``$\\partial L/\\partial W_{3} = \\delta_{3} h_{2}^\\top$``.

The notes are prose with formulas in it, written for the terminal. A word is math when it
holds a digit, an operator (= ^ _ | / * < >) or a known name (yhat, delta3, tanh(...));
single letters other than "a" and "I" are math too. Consecutive math words, with the
operators between them, form one formula; a comma ends a formula unless a parenthesis is
still open (``(0.5, -0.25)`` is one vector). Everything else is text, escaped.
"""

import re

from .format import tex_escape

_KNOWN = {"yhat": r"\hat{y}", "ytilde": r"\tilde{y}", "htilde": r"\tilde{h}", "delta": r"\delta",
          "sigmoid": r"\sigma", "tanh": r"\tanh", "log": r"\log", "exp": r"\exp", "max": r"\max",
          "sum": r"\sum", "softmax": r"\operatorname{softmax}", "grad": r"\nabla",
          "ReLU": r"\operatorname{ReLU}", "sigma": r"\sigma", "eta": r"\eta"}
_WORDS_TOO = ("sum", "max", "grad")  # English words as well: math only next to _ or (
_STRONG = re.compile(r"[\d=^_|/*<>]|\b(?:" + "|".join(k for k in _KNOWN if k not in _WORDS_TOO)
                     + r")\d*\b|^-?[A-Za-z]+\(")
_OPERATORS = {"=", "-", "+", "*", "->", "<=", ">=", "!=", "<", ">", "/"}
_PROSE = re.compile(r"^\(?Q\d+\)?$|^\d+(-\d+){2,}$|^[A-Za-z]{2,}_[A-Za-z]{2,}$|\"|'s$|^\d+-\w+$")
_TOKEN = re.compile(r"\|\||->|<=|>=|!=|\d+(?:\.\d+)?(?:e-?\d+)?|[A-Za-z]+\d*|.", re.S)
_DERIV = re.compile(r"\bd([A-Za-z]\w*)/d([A-Za-z]\w*(?:\(\d+\))?)")


def _kind(word, following):
    core = word.rstrip(",.;:")
    if not core or _PROSE.search(core):
        return "prose"
    if core in _OPERATORS:
        return "op"
    if core in ("a", "A", "I"):
        return "weak" if following == "=" else "prose"
    if _STRONG.search(core) or re.fullmatch(r"\(?[A-Za-z]\)?", core):
        return "math"
    return "prose"


def _ident(name):
    m = re.fullmatch(r"([A-Za-z]+?)(\d*)", name)
    base, index = m.groups()
    if base == "T":
        tex = "T"
    else:
        tex = _KNOWN.get(base) or (base if len(base) == 1 else r"\mathrm{" + base + "}")
    return tex + (f"_{{{index}}}" if index else "")


def formula(text):
    """One formula of the notes, in LaTeX math."""
    text = re.sub(r"(?<=\d) x (?=\d)", " \x01 ", text)
    text = re.sub(r"_\(([^()]*)\)", r"_{(\1)}", text)  # h_(l-1): the whole index is the subscript
    text = _DERIV.sub(lambda m: "\x00" + m.group(1) + "/\x00" + m.group(2), text)
    out, bars = [], 0
    for tok in _TOKEN.findall(text):
        if tok == "||":
            out.append(r"\rVert " if bars % 2 else r"\lVert ")
            bars += 1
        elif tok in ("->", "<=", ">=", "!="):
            out.append({"->": r"\to ", "<=": r"\le ", ">=": r"\ge ", "!=": r"\ne "}[tok])
        elif tok == "\x00":
            out.append(r"\partial ")
        elif tok == "\x01":
            out.append(r"\times ")
        elif out and out[-1] == "_" and tok[0].isalnum():
            out.append("{" + tok + "}")  # s_l, delta_kj: the index as written
        elif tok == "*":
            out.append(r"\cdot ")
        elif tok[0].isdigit():
            out.append(tok)
        elif tok[0].isalpha():
            out.append(r"\top" if tok == "T" and out and out[-1] == "^" else _ident(tok))
        elif tok in "%#&$~":
            out.append("\\" + tok if tok != "~" else r"\sim ")
        else:
            out.append(tok)
    return "".join(out)


def notes_tex(text):
    """A note's text for LaTeX: prose escaped, formulas in $...$."""
    words = text.split(" ")
    kinds = [_kind(w, words[i + 1] if i + 1 < len(words) else "") for i, w in enumerate(words)]
    out, run, depth = [], [], 0

    def flush(tail=""):
        nonlocal run, depth
        trailing = []
        while run and kinds[run[-1]] == "op":  # an operator does not end a formula
            trailing.insert(0, words[run.pop()])
        if run:
            out.append("$" + formula(" ".join(words[i] for i in run)) + "$")
        out.extend(tex_escape(w) for w in trailing)
        if tail:
            out.append(tex_escape(tail))
        run, depth = [], 0

    for i, (word, kind) in enumerate(zip(words, kinds)):
        if kind == "prose":
            flush()
            out.append(tex_escape(word))
            continue
        core = word.rstrip(",.;:")
        while core.endswith(")") and depth + core.count("(") - core.count(")") < 0:
            core = core[:-1]  # the parenthesis of the sentence, "(here s1)", stays text
        tail = word[len(core):]
        depth += core.count("(") - core.count(")")
        nxt = kinds[i + 1] if i + 1 < len(kinds) else "prose"
        if tail and (depth <= 0 or nxt == "prose" or tail != ","):
            words[i] = core
            run.append(i)
            flush(tail)
        else:
            run.append(i)
            if nxt == "prose":
                flush()
    flush()
    return _join(out)


def _join(pieces):
    """The pieces with the spaces of the original text: every piece was one or more words,
    except the punctuation that closed a formula, which sticks to it."""
    text = ""
    for p in pieces:
        if text and not re.fullmatch(r"[,.;:)]+", p):
            text += " "
        text += p
    return text
