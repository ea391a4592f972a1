"""Facts read on the machines and containers of ``[hosts]`` through testinfra, one module per concept.

Each module has a ``gather_*`` (testinfra modules on one :class:`~.connect.HostHandle`; ``host.run``
only where testinfra has no module) and a pure ``assess_*`` whose findings name the host.
"""
