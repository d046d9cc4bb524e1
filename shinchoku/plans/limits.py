"""Limits on the size of a plan document, checked before work grows with them.

Real plans are 3–6 levels deep with a few hundred nodes; these limits are far above that and keep a
hostile or broken file (a 3,000-level parent chain, a million rows) from costing minutes of work.
"""

MAX_NODE_DEPTH = 12
MAX_NODES = 5000
