"""The playground's limits: how large a network, a dataset, a request may be.

One place for every number the server refuses beyond, so the page (GET /api/options),
the checks (config.py, data.py) and the docs (docs/playground.md) say the same thing.
They keep one request's work to well under a second on a laptop core and one session's
memory to a few megabytes, so a forgotten tab or an absurd request cannot take the
server down.
"""

MAX_LAYERS = 6  # hidden layers
MAX_WIDTH = 32  # units per hidden layer
MIN_POINTS = 10  # generated datasets: points in all (train + test)
MAX_POINTS = 2000  # generated datasets and uploaded CSV rows
MAX_CSV_BYTES = 100_000  # the uploaded CSV text
MAX_CLASSES = 8  # labels of an uploaded CSV: 0 .. MAX_CLASSES - 1
MAX_SESSIONS = 32  # live sessions (browser tabs) at once
MAX_STEPS = 1000  # training iterations per step request
MAX_STEP_EXAMPLES = 100_000  # steps x batch size per step request (batch 10: 1000 steps; 2000: 50)
MAX_BODY_BYTES = 2 * MAX_CSV_BYTES + 20_000  # a request body: the config with its CSV, which JSON quoting may double (\r\n)
MAX_HISTORY = 1000  # recorded losses kept per curve (older ones thinned, every other dropped)
IDLE_SECONDS = 60.0  # a session unused this long may be evicted to make room for a new one
GRID = 48  # the decision boundary is sampled on a GRID x GRID grid
MAX_SEED = 2**32 - 1


def as_dict():
    """The limits the page needs to know (GET /api/options)."""
    return {"max_layers": MAX_LAYERS, "max_width": MAX_WIDTH, "max_points": MAX_POINTS,
            "max_csv_bytes": MAX_CSV_BYTES, "max_sessions": MAX_SESSIONS, "max_steps": MAX_STEPS,
            "max_step_examples": MAX_STEP_EXAMPLES}
