"""microgpt: Karpathy's microgpt as a package whose engine records every op.

Layers, bottom up (each imports only those below it, and only the standard library):

- ``engine``: the scalar autograd ``Value`` (with the op that made each node);
- ``trace``: ``with trace() as t:`` records every node, with scopes and names;
- ``data``: documents and the character ``Tokenizer``;
- ``model``: ``GPTConfig``, ``GPT`` and the name vocabulary (``NAME_RE``);
- ``floats``: the training step's loss and gradients, and the forward pass with a KV cache, on
  plain floats, bit for bit the engine's: what training (``Run.train``, ``engine="floats"`` by
  default), replays and sampling run on when no graph is wanted;
- ``params``: ``ParamLayout``, the flat ``params`` list as matrices (split, flatten, norms);
- ``hyperparams``: ``Hyperparams``; ``optim``: Adam (its update, moments, the learning-rate
  decay); ``history``: the losses, the documents and the snapshots of a run;
- ``checkpoint_data``: ``Checkpoint``, a run as data (what a checkpoint file holds);
- ``train``: ``Run`` (an optimizer, a history, resume, replay; on floats or on the ``Value``
  engine, the same run); ``sample``: temperature sampling (on floats, or on the engine inside a
  ``trace()``);
- ``checkpoint``: the JSON files (validated on load, written atomically);
- ``cli``: the ``microgpt`` command (``explorer`` adds its commands through an entry point).

The explorer (graphs, widgets) lives in the separate ``explorer`` package and reads what this
package records; nothing here imports it.
"""

__version__ = "0.1.0"

from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint, shipped_checkpoint_path
from .data import Tokenizer, load_docs
from .engine import Value
from .errors import MicrogptError
from .model import GPT, NAME_RE, GPTConfig
from .sample import sample, samples
from .trace import Trace, name, scope, trace
from .train import Hyperparams, Run

__all__ = [
    "GPT",
    "Checkpoint",
    "NAME_RE",
    "GPTConfig",
    "Hyperparams",
    "MicrogptError",
    "Run",
    "Trace",
    "Tokenizer",
    "Value",
    "__version__",
    "load_checkpoint",
    "load_docs",
    "name",
    "sample",
    "samples",
    "save_checkpoint",
    "scope",
    "shipped_checkpoint_path",
    "trace",
]
