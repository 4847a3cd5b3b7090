"""The playground: train a small network on 2-D points in the browser, with the math.

``glassgrad playground`` (cli/playground.py) serves it; the parts:

- ``limits``: every size the server refuses beyond;
- ``config``: a session's settings, checked field by field;
- ``data``: the five seeded datasets, the uploaded CSV, the train/test split;
- ``session``: one network, its training and what the page shows (needs NumPy only);
- ``store``: the live sessions, capped, the least recently used evicted first;
- ``app``: the Starlette app and its JSON routes (needs the ``playground`` extra:
  starlette and uvicorn). The HTTP contract is in docs/playground.md.

Importing this package imports neither Starlette nor the app: ``create_app`` does.
"""


def create_app(**options):
    """The Starlette app (see app.create_app)."""
    from .app import create_app as create

    return create(**options)
